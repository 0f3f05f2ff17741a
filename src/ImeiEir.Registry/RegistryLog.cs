using Microsoft.Extensions.Logging;

namespace ImeiEir.Registry;

/// <summary>
/// The registry's log messages (event ids 300-349; the seeding line keeps its id, 2). Tokens never appear in them.
/// </summary>
internal static partial class RegistryLog
{
    [LoggerMessage(2, LogLevel.Information, "Registry ready at sequence {Sequence}; {Source}: {Applied} applied, {Unchanged} unchanged")]
    public static partial void RegistrySeeded(ILogger logger, ulong sequence, string source, int applied, int unchanged);

    [LoggerMessage(300, LogLevel.Information, "Registry opened in {Directory}: {Changes} changes in the log, view recovered at change {Recovered}, {Replayed} replayed in {ElapsedMs} ms")]
    public static partial void Opened(ILogger logger, string directory, ulong changes, ulong recovered, ulong replayed, long elapsedMs);

    [LoggerMessage(301, LogLevel.Warning, "Registry view checkpoint could not be recovered ({Failure}); rebuilding the view from the change log")]
    public static partial void ViewRebuilding(ILogger logger, string failure);

    [LoggerMessage(302, LogLevel.Warning, "Registry view checkpoint is at change {ViewSequence} but the change log ends at {LogSequence}; rebuilding the view from the log")]
    public static partial void ViewAheadOfLog(ILogger logger, ulong viewSequence, ulong logSequence);

    [LoggerMessage(303, LogLevel.Information, "Registry {Kind} token generated into {Path} (mode 0600)")]
    public static partial void TokenGenerated(ILogger logger, string kind, string path);

    [LoggerMessage(304, LogLevel.Information, "Registry batch committed: changes {First}-{Last} ({Applied} applied, {Unchanged} unchanged, {Rejected} rejected) in {ElapsedMs} ms")]
    public static partial void BatchCommitted(ILogger logger, ulong first, ulong last, int applied, int unchanged, int rejected, long elapsedMs);

    [LoggerMessage(305, LogLevel.Critical, "Registry change log failed while committing a batch; no further writes are accepted until restart")]
    public static partial void LogFailed(ILogger logger, Exception exception);

    [LoggerMessage(306, LogLevel.Information, "Registry view checkpointed at change {Sequence}")]
    public static partial void Checkpointed(ILogger logger, ulong sequence);

    [LoggerMessage(307, LogLevel.Error, "Registry view checkpoint failed; the next interval retries")]
    public static partial void CheckpointFailed(ILogger logger, Exception exception);

    [LoggerMessage(308, LogLevel.Information, "Registry feed after change {After} opened ({Format})")]
    public static partial void FeedOpened(ILogger logger, ulong after, string format);

    [LoggerMessage(309, LogLevel.Information, "Registry request {Method} {Path} refused: {Status} {Detail}")]
    public static partial void Refused(ILogger logger, string method, string path, int status, string detail);

    [LoggerMessage(310, LogLevel.Error, "A listener of committed registry changes failed; the changes are durable and published")]
    public static partial void ListenerFailed(ILogger logger, Exception exception);

    [LoggerMessage(311, LogLevel.Information, "Sightings from {Node}: {Received} received, {Created} new grey, {Existing} already listed, {Ignored} ignored")]
    public static partial void SightingsRecorded(ILogger logger, string node, int received, int created, int existing, int ignored);

    [LoggerMessage(312, LogLevel.Information, "Grey period over: {Count} IMEIs blacklisted (grey-expired), changes {First}..{Last}")]
    public static partial void GreyExpired(ILogger logger, int count, ulong first, ulong last);

    [LoggerMessage(313, LogLevel.Information, "Grey lifecycle: {Count} grey deadlines indexed in {Milliseconds} ms")]
    public static partial void LifecycleIndexed(ILogger logger, int count, long milliseconds);

    [LoggerMessage(314, LogLevel.Error, "Grey expiry failed; retrying in {Seconds} s")]
    public static partial void ExpiryFailed(ILogger logger, Exception exception, double seconds);

    [LoggerMessage(315, LogLevel.Information, "Registry generation {Generation} ({How}); nodes that followed another generation bootstrap afresh")]
    public static partial void Generation(ILogger logger, string generation, string how);

    [LoggerMessage(316, LogLevel.Warning, "Registry restored from {File}: changes 1..{Sequence} of generation {Source}, in {ElapsedMs} ms; it opens with a new generation, and its nodes bootstrap afresh")]
    public static partial void Restored(ILogger logger, string file, ulong sequence, string source, long elapsedMs);

    [LoggerMessage(330, LogLevel.Information, "Registry credentials loaded from {Path}: {Count} named")]
    public static partial void CredentialsLoaded(ILogger logger, string path, int count);

    [LoggerMessage(331, LogLevel.Warning, "Registry credentials not reloaded, the last good set stays in force: {Problem}")]
    public static partial void CredentialsReloadFailed(ILogger logger, string problem);

    // 340-349: retries and a full disk (docs: README "Running it for years").

    [LoggerMessage(340, LogLevel.Warning, "Push {Key} was committed but its outcome could not be journaled; a retry of that key would apply it again")]
    public static partial void PushNotJournaled(ILogger logger, string key, Exception exception);

    [LoggerMessage(341, LogLevel.Information, "Push {Key} retried: answered with its original outcome, nothing written")]
    public static partial void PushReplayed(ILogger logger, string key);

    [LoggerMessage(342, LogLevel.Error, "Registry write refused: {Shortage}; nothing was written, writes resume once space is freed")]
    public static partial void DiskFull(ILogger logger, string shortage);

    [LoggerMessage(343, LogLevel.Warning, "Registry view checkpoint skipped: {Shortage}; the change log is intact and a restart replays it")]
    public static partial void CheckpointSkipped(ILogger logger, string shortage);

    // 350-359: the TAC database (docs/ARCHITECTURE.md, "The TAC database").
    [LoggerMessage(350, LogLevel.Information, "TAC database imported: version {Version}, {Tacs} TACs, {DeviceTypes} device types")]
    public static partial void TacImported(ILogger logger, string version, int tacs, int deviceTypes);

    [LoggerMessage(345, LogLevel.Information, "Registry change log scanned at open: {Scanned} entries read; the log holds changes {First}..{Last}")]
    public static partial void LogScanned(ILogger logger, ulong scanned, ulong first, ulong last);

    [LoggerMessage(346, LogLevel.Warning, "Registry sequence index not used ({Failure}); scanning the whole change log instead")]
    public static partial void SequenceIndexUnusable(ILogger logger, string failure);

    [LoggerMessage(347, LogLevel.Information, "Registry change log truncated before change {First} (feed kept from change {FeedFirst}); {Bytes} bytes of log remain")]
    public static partial void LogTruncated(ILogger logger, ulong first, ulong feedFirst, long bytes);

    [LoggerMessage(348, LogLevel.Error, "Registry retention (sequence index save or log truncation) failed; the next checkpoint retries")]
    public static partial void RetentionFailed(ILogger logger, Exception exception);

    [LoggerMessage(370, LogLevel.Warning, "Registry change stream did not acknowledge a batch; nothing of it was acknowledged and the same write may be retried")]
    public static partial void StreamUnavailable(ILogger logger, Exception exception);

    [LoggerMessage(384, LogLevel.Debug, "Registry change stream still did not acknowledge a batch; nothing of it was acknowledged")]
    public static partial void StreamStillUnavailable(ILogger logger, Exception exception);

    [LoggerMessage(385, LogLevel.Information, "Registry change stream acknowledges again")]
    public static partial void StreamAvailableAgain(ILogger logger);

    [LoggerMessage(386, LogLevel.Warning, "Grey expiry waits for the change stream; retrying every {Seconds} s, logged again once it went through")]
    public static partial void ExpiryWaitsForStream(ILogger logger, Exception exception, double seconds);

    [LoggerMessage(371, LogLevel.Warning, "Registry change stream tail failed; other registry processes' changes wait until it answers again")]
    public static partial void TailFailed(ILogger logger, Exception exception);

    [LoggerMessage(372, LogLevel.Information, "Registry change stream tail works again; caught up to change {Sequence}")]
    public static partial void TailRecovered(ILogger logger, ulong sequence);

    [LoggerMessage(396, LogLevel.Warning, "Registry change stream {Stream}: a consumer delivered message {Message} with changes {Delivered}, the stream leader holds changes {Committed} there (a replica diverged); the leader's were taken")]
    public static partial void ReplicaDiverged(ILogger logger, string stream, ulong message, string delivered, string committed);

    [LoggerMessage(373, LogLevel.Information, "Registry joined change stream {Stream} (generation {Generation}): local log at change {Local}, caught up to change {Last}")]
    public static partial void StreamJoined(ILogger logger, string stream, string generation, ulong local, ulong last);

    // Debug: where a write's time goes, for profiling (bench/registry-log.sh turns it on); off the Diameter path.
    [LoggerMessage(374, LogLevel.Debug, "Registry write of {Changes} change(s): plan {PlanMs:0.0} ms, commit point {CommitMs:0.0} ms in {Attempts} attempt(s), local log and view {LocalMs:0.0} ms")]
    public static partial void WriteTimed(ILogger logger, int changes, double planMs, double commitMs, int attempts, double localMs);
}
