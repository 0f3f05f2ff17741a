using Microsoft.Extensions.Logging;

namespace ImeiEir.Notify.Delivery;

/// <summary>
/// The sender's log lines, source-generated (docs/ARCHITECTURE.md, convention 13). The notifier's event ids are
/// 5001-5099. Never a password or a token.
/// </summary>
internal static partial class DeliveryLog
{
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

    [LoggerMessage(EventId = 5023, Level = LogLevel.Information, Message = "Notifier: delivery reports must carry the DLR token {Source} ({Where})")]
    public static partial void DlrToken(ILogger logger, string source, string where);
}
