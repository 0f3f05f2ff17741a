using Microsoft.Extensions.Logging;

namespace ImeiEir.Notify.Pairs;

/// <summary>
/// The sighting pairs' log lines, source-generated (docs/ARCHITECTURE.md, convention 13). The notifier's event ids are
/// 5001-5099. Never a password or a token.
/// </summary>
internal static partial class PairsLog
{
    [LoggerMessage(EventId = 5014, Level = LogLevel.Information, Message = "Sighting pairs opened: {Pairs} (IMEI, IMSI) pairs of {Devices} grey devices")]
    public static partial void PairsOpened(ILogger logger, int pairs, int devices);

    [LoggerMessage(EventId = 5015, Level = LogLevel.Warning, Message = "Sighting pairs journal: cut {Bytes} bytes of a torn last record (the process stopped while writing it)")]
    public static partial void PairsTornTail(ILogger logger, long bytes);

    [LoggerMessage(EventId = 5016, Level = LogLevel.Information, Message = "Sighting pairs journal compacted: {Before} records to {After}")]
    public static partial void PairsCompacted(ILogger logger, long before, long after);
}
