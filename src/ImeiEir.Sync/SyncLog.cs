using Microsoft.Extensions.Logging;

namespace ImeiEir.Sync;

/// <summary>The sync agent's log lines, source-generated (docs/ARCHITECTURE.md, convention 13). Event ids 3001-3099.</summary>
internal static partial class SyncLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Sync caught up at sequence {Sequence} (registry head {Head})")]
    public static partial void CaughtUp(ILogger logger, ulong sequence, ulong head);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Registry connection ended: {Reason}. Reconnecting from sequence {Sequence} in {DelayMilliseconds} ms (attempt {Attempt})")]
    public static partial void Reconnecting(ILogger logger, string reason, ulong sequence, long delayMilliseconds, int attempt);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Resuming the registry feed from the local checkpoint at sequence {Sequence} (registry generation {Generation})")]
    public static partial void Resuming(ILogger logger, ulong sequence, string generation);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "Bootstrapping from the registry snapshot at {Url}")]
    public static partial void BootstrapStarting(ILogger logger, string url);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Information, Message = "Bootstrap: snapshot at sequence {Sequence}, {Records} records applied so far")]
    public static partial void BootstrapProgress(ILogger logger, ulong sequence, ulong records);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Information, Message = "Bootstrap complete: snapshot at sequence {Sequence}, {Records} records in {Seconds:F1} s, registry generation {Generation}; the store is complete (the node answers from it) and follows the feed from there")]
    public static partial void BootstrapCompleted(ILogger logger, ulong sequence, ulong records, double seconds, string generation);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Error, Message = "THE REGISTRY IS BEHIND THIS NODE: it answered 409 to a feed request after sequence {Sequence} (its last sequence is lower; was it restored from an older backup?). Clearing the local store and bootstrapping again from the registry's snapshot. Detail: {Detail}")]
    public static partial void RegistryBehind(ILogger logger, ulong sequence, string detail);

    [LoggerMessage(EventId = 3017, Level = LogLevel.Warning, Message = "This node is further behind than the registry keeps its feed (Registry:FeedRetention): it asked for changes after sequence {Sequence}. Clearing the local store and bootstrapping again from the registry's snapshot. Detail: {Detail}")]
    public static partial void FeedWindowPassed(ILogger logger, ulong sequence, string detail);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Warning, Message = "Local store cleared for a new bootstrap: {Records} records removed")]
    public static partial void StoreCleared(ILogger logger, long records);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Debug, Message = "Following the registry feed after sequence {Sequence}")]
    public static partial void FeedConnected(ILogger logger, ulong sequence);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Debug, Message = "Local checkpoint taken at sequence {Sequence}")]
    public static partial void Checkpointed(ILogger logger, ulong sequence);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Warning, Message = "Local checkpoint at sequence {Sequence} failed; the next one is tried at the next interval")]
    public static partial void CheckpointFailed(ILogger logger, ulong sequence, Exception exception);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Warning, Message = "Dropping the feed connection: {Reason}")]
    public static partial void BadFeed(ILogger logger, string reason);

    [LoggerMessage(EventId = 3013, Level = LogLevel.Warning, Message = "The registry is generation {Announced} but this node's store follows generation {Followed} (at sequence {Sequence}): a new or restored registry, whose change numbers name other changes. Clearing the local store and bootstrapping from its snapshot")]
    public static partial void GenerationChanged(ILogger logger, string announced, string followed, ulong sequence);

    [LoggerMessage(EventId = 3014, Level = LogLevel.Warning, Message = "The local store's last bootstrap did not finish ({Detail}); clearing it (checkpoint at sequence {Sequence}) and bootstrapping again")]
    public static partial void BootstrapUnfinished(ILogger logger, ulong sequence, string detail);

    [LoggerMessage(EventId = 3015, Level = LogLevel.Warning, Message = "Registry {From} failed ({Reason}); following {To} now (registry {Index} of {Count}; {Folded} earlier switches not logged)")]
    public static partial void RegistrySwitched(ILogger logger, string from, string reason, string to, int index, int count, int folded);

    [LoggerMessage(EventId = 3016, Level = LogLevel.Information, Message = "Following the registry feed at {Url} after sequence {Sequence} (registry generation {Generation})")]
    public static partial void FollowingRegistry(ILogger logger, string url, ulong sequence, string generation);

    // 3030-3039: following several registry processes of one generation (issue 23).
    [LoggerMessage(EventId = 3030, Level = LogLevel.Warning, Message = "Registry {Url} has not yet reached this node's sequence {Sequence} (409, same generation: it lags behind the stream this node read from another registry process). Keeping the local store and trying the next registry; no bootstrap. Detail: {Detail}")]
    public static partial void RegistryLagging(ILogger logger, string url, ulong sequence, string detail);

    [LoggerMessage(EventId = 3020, Level = LogLevel.Warning, Message = "Reporting sightings failed ({Reason}); {Pending} kept, retrying in {DelayMilliseconds} ms (attempt {Attempt})")]
    public static partial void SightingsRetrying(ILogger logger, int pending, string reason, long delayMilliseconds, int attempt);

    [LoggerMessage(EventId = 3021, Level = LogLevel.Error, Message = "The registry refused {Count} sightings as malformed, dropped: {Detail}")]
    public static partial void SightingsRejected(ILogger logger, int count, string detail);

    // 3040-3049: the TAC database (docs/ARCHITECTURE.md, "The TAC database").
    [LoggerMessage(EventId = 3040, Level = LogLevel.Information, Message = "TAC database version {Version} in force: {Tacs} TACs ({Source})")]
    public static partial void TacLoaded(ILogger logger, string version, int tacs, string source);

    [LoggerMessage(EventId = 3041, Level = LogLevel.Warning, Message = "Fetching the TAC database failed ({Reason}); keeping {Held}, retrying in {DelayMilliseconds} ms")]
    public static partial void TacFetchFailed(ILogger logger, string reason, string held, long delayMilliseconds);

    [LoggerMessage(EventId = 3042, Level = LogLevel.Warning, Message = "Policy:RequireKnownTac is true but this node has no TAC database yet; no IMEI is refused for its TAC until one is imported (eirctl tac import FILE)")]
    public static partial void TacRequiredButNone(ILogger logger);

    [LoggerMessage(EventId = 3043, Level = LogLevel.Error, Message = "The node's saved TAC database is unreadable ({Reason}); fetching it again from the registry")]
    public static partial void TacLocalUnreadable(ILogger logger, string reason);
}
