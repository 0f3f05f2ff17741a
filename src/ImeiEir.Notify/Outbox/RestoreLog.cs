using Microsoft.Extensions.Logging;

namespace ImeiEir.Notify.Outbox;

/// <summary>The restored outbox's log line in JetStream mode (docs/ARCHITECTURE.md, convention 13); event id 391.</summary>
internal static partial class RestoreLog
{
    [LoggerMessage(EventId = 391, Level = LogLevel.Information, Message = "Outbox restored from a backup: {Made} of its notices put in JetStream bucket {Bucket} (the others were there already)")]
    public static partial void Published(ILogger logger, string bucket, int made);
}
