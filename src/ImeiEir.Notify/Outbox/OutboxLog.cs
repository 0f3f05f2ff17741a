using Microsoft.Extensions.Logging;

namespace ImeiEir.Notify.Outbox;

/// <summary>
/// The outbox's log lines, source-generated (docs/ARCHITECTURE.md, convention 13). The notifier's event ids are
/// 5001-5099. Never a password or a token.
/// </summary>
internal static partial class OutboxLog
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

    [LoggerMessage(EventId = 5021, Level = LogLevel.Information, Message = "Outbox: dropped {Count} finished notices more than {RetainDays} days past their day (Notify:RetainDays)")]
    public static partial void Pruned(ILogger logger, int count, int retainDays);
}
