using ImeiEir.Core;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Registry;

/// <summary>
/// Keeps the change log bounded (docs/ARCHITECTURE.md, "Registry retention"). After each view checkpoint at S it
/// saves the sequence index up to S (so the next start scans only the log after S), moves the feed's first change to
/// the first one within <see cref="RegistryOptions.FeedRetention"/> (never past S + 1: changes after the checkpoint
/// are always served), and truncates the log — and the attribution records — before the first change that the longer
/// of the feed and history windows still needs, never past S (the view's checkpoint holds everything before it).
/// </summary>
/// <remarks>
/// Crash safety: the index file is replaced by rename, and a start clamps an index older than the log's committed
/// beginning; the log's new beginning is persisted by a commit under the write gate before FasterLog deletes the
/// segments below; the attribution file is rewritten by rename and keeps records the log may no longer need (never
/// fewer). A crash at any point leaves either the old beginning or the new one, each consistent.
/// </remarks>
internal sealed class LogRetention
{
    private readonly ChangeLog _log;
    private readonly AttributionLog _attribution;
    private readonly RegistryWriter _writer;
    private readonly TimeProvider _time;
    private readonly TimeSpan _feed;
    private readonly TimeSpan? _history;
    private readonly ILogger _logger;
    private ulong _feedFirst;

    public LogRetention(ChangeLog log, AttributionLog attribution, RegistryWriter writer, TimeProvider time, RegistryOptions options, ILogger logger)
    {
        _log = log;
        _attribution = attribution;
        _writer = writer;
        _time = time;
        _feed = options.FeedRetention;
        _history = options.HistoryWindow;
        _logger = logger;
        _feedFirst = log.FirstSequence;
    }

    /// <summary>
    /// The first change the feed serves: a node whose position is before it (after &lt; this − 1) is refused (409)
    /// and bootstraps. Starts at the log's first change and moves at each checkpoint.
    /// </summary>
    public ulong FeedFirst => Math.Max(Volatile.Read(ref _feedFirst), _log.FirstSequence);

    /// <summary>After a checkpoint at <paramref name="checkpointed"/>: saves the index and, unless <paramref name="closing"/>, trims.</summary>
    public async Task AfterCheckpointAsync(ulong checkpointed, bool closing, CancellationToken ct)
    {
        if (checkpointed == 0) return;
        _log.SaveIndex(checkpointed);
        if (closing) return;

        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        ulong feedFirst = Math.Min(await FirstSinceAsync(now - (long)_feed.TotalMilliseconds, checkpointed, ct).ConfigureAwait(false), checkpointed + 1);
        Volatile.Write(ref _feedFirst, Math.Max(feedFirst, Volatile.Read(ref _feedFirst)));
        if (_history is not TimeSpan history) return; // history for ever: the whole log is kept
        ulong historyFirst = await FirstSinceAsync(now - (long)history.TotalMilliseconds, checkpointed, ct).ConfigureAwait(false);
        ulong keepFrom = Math.Min(Math.Min(feedFirst, historyFirst), checkpointed);
        if (keepFrom <= _log.FirstSequence) return;

        bool truncated = false;
        await _writer.BetweenWritesAsync(async () =>
        {
            if (!_log.TruncateBefore(keepFrom)) return; // a backup is reading from the beginning: the next checkpoint retries
            truncated = true;
            await _log.CommitBeginAsync().ConfigureAwait(false);
        }).ConfigureAwait(false);
        if (!truncated) return;
        // After the log's commit: attribution records may outlive their changes for a while, never the reverse.
        _attribution.DropBefore(keepFrom);
        // The index saved above may reach below the new beginning: a start clamps it, but save it trimmed anyway.
        _log.SaveIndex(checkpointed);
        RegistryLog.LogTruncated(_logger, keepFrom, FeedFirst, _log.Bytes);
    }

    /// <summary>The first change at or after <paramref name="cutoffUnixMs"/> among the log's first..<paramref name="last"/>; last + 1 when none.</summary>
    private async Task<ulong> FirstSinceAsync(long cutoffUnixMs, ulong last, CancellationToken ct)
    {
        // Change times follow their numbers (one writer stamps them in order), so a binary search finds the edge
        // in about 25 exact reads at tens of millions of changes.
        ulong low = _log.FirstSequence, high = last + 1;
        while (low < high)
        {
            ulong middle = low + (high - low) / 2;
            (Change change, _) = await _log.ReadOneAsync(middle, ct).ConfigureAwait(false);
            if (change.TimeUnixMilliseconds < cutoffUnixMs) low = middle + 1;
            else high = middle;
        }
        return low;
    }
}
