using Microsoft.Extensions.Logging;

namespace ImeiEir.Notify;

/// <summary>
/// The notifier's log lines, source-generated (docs/ARCHITECTURE.md, convention 13). Event ids 5001-5099; the registry
/// rules' failure line has 40. Never a password or a token.
/// </summary>
internal static partial class NotifyLog
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Outbox opened: {Notices} notices ({Parked} parked, {Pending} pending) from {Records} journal records")]
    public static partial void Opened(ILogger logger, int notices, long parked, long pending, long records);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "Outbox journal: cut {Bytes} bytes of a torn last record (the process stopped while writing it)")]
    public static partial void TornTail(ILogger logger, long bytes);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Warning, Message = "{Count} notices were being sent when the notifier last stopped; they are sent again (each at most once more, so a subscriber may get one duplicate)")]
    public static partial void ResendingInFlight(ILogger logger, int count);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Information, Message = "Outbox journal compacted: {Before} records to {After}")]
    public static partial void Compacted(ILogger logger, long before, long after);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Information, Message = "Released {Count} parked notices: their subscribers are now in the directory")]
    public static partial void Released(ILogger logger, int count);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Warning, Message = "SMS gateway attempt {Attempt} for notice {Key} failed: {Error}; nothing is sent for {GatewayDelayMilliseconds} ms, this notice not for {NoticeDelayMilliseconds} ms")]
    public static partial void AttemptFailed(ILogger logger, int attempt, string key, string error, long gatewayDelayMilliseconds, long noticeDelayMilliseconds);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Error, Message = "Notice {Key} given up after {Attempts} attempts (Notify:MaxAttempts): {Error}")]
    public static partial void GaveUp(ILogger logger, string key, int attempts, string error);

    [LoggerMessage(EventId = 5008, Level = LogLevel.Debug, Message = "Notice {Key} accepted by the SMS gateway: {Answer}")]
    public static partial void Accepted(ILogger logger, string key, string answer);

    [LoggerMessage(EventId = 5009, Level = LogLevel.Information, Message = "Notifier started: sending to {Gateway} at up to {Rate} SMS/s; dates in {Calendar}")]
    public static partial void Started(ILogger logger, string gateway, double rate, string calendar);

    [LoggerMessage(EventId = 5010, Level = LogLevel.Warning, Message = "Notifier: Notify:SendSmsUrl is not set, so no SMS is sent; notices are recorded and wait in the outbox. Dates in {Calendar}")]
    public static partial void DeliveryOff(ILogger logger, string calendar);

    [LoggerMessage(EventId = 5011, Level = LogLevel.Error, Message = "Notifier: the outbox failed; retrying in {DelayMilliseconds} ms")]
    public static partial void OutboxFailed(ILogger logger, long delayMilliseconds, Exception exception);

    [LoggerMessage(EventId = 5012, Level = LogLevel.Information, Message = "SMS gateway reachable again after {Failures} failed attempts")]
    public static partial void GatewayBack(ILogger logger, int failures);

    [LoggerMessage(EventId = 5013, Level = LogLevel.Information, Message = "Grey-start notices: {Added} enqueued, {Known} already in the outbox")]
    public static partial void GreyStartsEnqueued(ILogger logger, int added, int known);

    [LoggerMessage(EventId = 5014, Level = LogLevel.Information, Message = "Sighting pairs opened: {Pairs} (IMEI, IMSI) pairs of {Devices} grey devices")]
    public static partial void PairsOpened(ILogger logger, int pairs, int devices);

    [LoggerMessage(EventId = 5015, Level = LogLevel.Warning, Message = "Sighting pairs journal: cut {Bytes} bytes of a torn last record (the process stopped while writing it)")]
    public static partial void PairsTornTail(ILogger logger, long bytes);

    [LoggerMessage(EventId = 5016, Level = LogLevel.Information, Message = "Sighting pairs journal compacted: {Before} records to {After}")]
    public static partial void PairsCompacted(ILogger logger, long before, long after);

    [LoggerMessage(EventId = 5017, Level = LogLevel.Information, Message = "Daily reminder round for {Day}: {Reminders} reminders, {Blacklisted} blacklisted notices, {Forgotten} devices no longer grey, {Skipped} pairs skipped (first seen that day, or expiry pending)")]
    public static partial void ReminderRound(ILogger logger, string day, int reminders, int blacklisted, int forgotten, int skipped);

    [LoggerMessage(EventId = 5018, Level = LogLevel.Error, Message = "Daily reminders: the round failed; retrying in {DelaySeconds} s")]
    public static partial void ReminderRoundFailed(ILogger logger, double delaySeconds, Exception exception);

    [LoggerMessage(EventId = 5019, Level = LogLevel.Information, Message = "Blacklisted notices: {Added} enqueued for {Devices} expired devices")]
    public static partial void BlacklistedEnqueued(ILogger logger, int added, int devices);

    [LoggerMessage(EventId = 5020, Level = LogLevel.Information, Message = "Blocked-attach notices: {Added} enqueued, {Known} already sent that day")]
    public static partial void BlockedEnqueued(ILogger logger, int added, int known);

    [LoggerMessage(EventId = 5021, Level = LogLevel.Information, Message = "Outbox: dropped {Count} finished notices more than {RetainDays} days past their day (Notify:RetainDays)")]
    public static partial void Pruned(ILogger logger, int count, int retainDays);

    [LoggerMessage(EventId = 5022, Level = LogLevel.Information, Message = "Start-up sweep of the pairs: {Blacklisted} blacklisted notices for expiries missed while the notifier was down, {Forgotten} devices no longer grey")]
    public static partial void StartSweep(ILogger logger, int blacklisted, int forgotten);

    [LoggerMessage(EventId = 40, Level = LogLevel.Error, Message = "Could not enqueue the notices of {Count} sightings or expiries: those subscribers are not told")]
    public static partial void NoticesFailed(ILogger logger, int count, Exception exception);
}
