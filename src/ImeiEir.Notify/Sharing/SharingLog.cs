using Microsoft.Extensions.Logging;

namespace ImeiEir.Notify.Sharing;

/// <summary>The shared outbox's and the sender lease's log lines (docs/ARCHITECTURE.md, convention 13); event ids 5030-5059.</summary>
internal static partial class SharingLog
{
    [LoggerMessage(EventId = 5030, Level = LogLevel.Information, Message = "Outbox shared through JetStream bucket {Bucket}: {Notices} notices there, {Applied} of them new or changed for this process's journal")]
    public static partial void Synced(ILogger logger, string bucket, int notices, int applied);

    [LoggerMessage(EventId = 5031, Level = LogLevel.Information, Message = "Notifier: this process holds the sender lease now and sends the SMS; {InFlight} notices were being sent by the previous holder, each resent only if no delivery report says Kannel took it within {WaitMilliseconds} ms")]
    public static partial void LeaseTaken(ILogger logger, int inFlight, long waitMilliseconds);

    [LoggerMessage(EventId = 5032, Level = LogLevel.Warning, Message = "Notifier: this process lost the sender lease (another process sends now, or the NATS servers are unreachable)")]
    public static partial void LeaseLost(ILogger logger);

    [LoggerMessage(EventId = 5033, Level = LogLevel.Warning, Message = "Notifier: {Count} notices the previous holder was sending got no delivery report within {WaitMilliseconds} ms: sent again (a subscriber may get one duplicate if Kannel had taken it)")]
    public static partial void ResendingOrphans(ILogger logger, int count, long waitMilliseconds);

    [LoggerMessage(EventId = 5034, Level = LogLevel.Error, Message = "Shared outbox: watching bucket {Bucket} failed; watching again in 1 s")]
    public static partial void WatchFailed(ILogger logger, string bucket, Exception exception);

    [LoggerMessage(EventId = 5050, Level = LogLevel.Warning, Message = "Notifier: {Count} notices this process left Sending (its write of the next state failed, though the servers stored the Sending) got no delivery report within {WaitMilliseconds} ms: sent again (a subscriber may get one duplicate if Kannel had taken it)")]
    public static partial void ResendingOwnOrphans(ILogger logger, int count, long waitMilliseconds);

    [LoggerMessage(EventId = 5051, Level = LogLevel.Error, Message = "Notifier: took the sender lease but could not bring this process's copy of the outbox up to the shared bucket within the lease's time to live; not sending, trying again at the next renewal")]
    public static partial void CatchUpFailed(ILogger logger, Exception exception);
}
