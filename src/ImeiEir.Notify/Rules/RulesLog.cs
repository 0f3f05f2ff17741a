using Microsoft.Extensions.Logging;

namespace ImeiEir.Notify.Rules;

/// <summary>
/// The notice rules' and the daily reminders' log lines, source-generated (docs/ARCHITECTURE.md, convention 13). The
/// notifier's event ids are 5001-5099; the registry rules' failure line has 40. Never a password or a token.
/// </summary>
internal static partial class RulesLog
{
    [LoggerMessage(EventId = 5013, Level = LogLevel.Information, Message = "Grey-start notices: {Added} enqueued, {Known} already in the outbox")]
    public static partial void GreyStartsEnqueued(ILogger logger, int added, int known);

    [LoggerMessage(EventId = 5017, Level = LogLevel.Information, Message = "Daily reminder round for {Day}: {Reminders} reminders, {Blacklisted} blacklisted notices, {Forgotten} devices no longer grey, {Skipped} pairs skipped (first seen that day, or expiry pending)")]
    public static partial void ReminderRound(ILogger logger, string day, int reminders, int blacklisted, int forgotten, int skipped);

    [LoggerMessage(EventId = 5018, Level = LogLevel.Error, Message = "Daily reminders: the round failed; retrying in {DelaySeconds} s")]
    public static partial void ReminderRoundFailed(ILogger logger, double delaySeconds, Exception exception);

    [LoggerMessage(EventId = 5019, Level = LogLevel.Information, Message = "Blacklisted notices: {Added} enqueued for {Devices} expired devices")]
    public static partial void BlacklistedEnqueued(ILogger logger, int added, int devices);

    [LoggerMessage(EventId = 5020, Level = LogLevel.Information, Message = "Blocked-attach notices: {Added} enqueued, {Known} already sent that day")]
    public static partial void BlockedEnqueued(ILogger logger, int added, int known);

    [LoggerMessage(EventId = 5022, Level = LogLevel.Information, Message = "Start-up sweep of the pairs: {Blacklisted} blacklisted notices for expiries missed while the notifier was down, {Forgotten} devices no longer grey")]
    public static partial void StartSweep(ILogger logger, int blacklisted, int forgotten);

    [LoggerMessage(EventId = 40, Level = LogLevel.Error, Message = "Could not enqueue the notices of {Count} sightings or expiries: those subscribers are not told")]
    public static partial void NoticesFailed(ILogger logger, int count, Exception exception);
}
