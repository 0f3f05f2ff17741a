using System.Diagnostics;
using System.Threading.Channels;
using ImeiEir.Core;
using ImeiEir.Registry.JetStream;
using ImeiEir.Store;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Registry;

/// <summary>
/// The registry's one write path, used by admin deltas, sightings and expiry alike. Writes are serialised: each is
/// planned against the view (<see cref="PlannedWrite"/>), appended, committed once, and acknowledged only when the
/// commit is durable; then the view is updated, the batch's numbers are published and <see cref="Committed"/> is
/// raised. A commit that fails leaves the log's state known only after a restart, so every later write is refused.
/// </summary>
internal sealed class RegistryWriter
{
    /// <summary>The failure of an admin delta's commit (its 503 detail).</summary>
    public const string DeltaCommitFailed = "The registry's change log failed while committing; the batch was not acknowledged. Restart the registry.";

    /// <summary>The failure of the registry's own writes (sightings, expiry).</summary>
    public const string CommitFailed = "The registry's change log failed while committing; restart the registry.";

    private readonly ChangeLog _log;
    private readonly AttributionLog _attribution;
    private readonly RegistryView _view;
    private readonly PublishedSequence _published;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _owner;
    private readonly DiskSpace? _space;
    private readonly ICommitPoint _commitPoint;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Exception? _fault;
    private bool _streamDown;   // under the gate: the last commit found the stream unavailable
    private bool _closed;
    private int _closing;

    /// <param name="log">Where changes are appended and committed.</param>
    /// <param name="view">What plans read, and what a durable batch is applied to.</param>
    /// <param name="published">Where a durable batch's last number is published.</param>
    /// <param name="time">The clock of change times.</param>
    /// <param name="logger">Where a failed commit or listener is logged.</param>
    /// <param name="owner">The name <see cref="ObjectDisposedException"/> carries once the writer is closed.</param>
    /// <param name="attribution">Where each batch's actor and comment are recorded, before its commit.</param>
    /// <param name="space">Checked before each append: a full disk refuses the write, not the log (null: unchecked).</param>
    /// <param name="commitPoint">Where a batch is committed before the local log (null: the local log, <see cref="LocalCommitPoint"/>).</param>
    public RegistryWriter(ChangeLog log, AttributionLog attribution, RegistryView view, PublishedSequence published, TimeProvider time, ILogger logger,
        string owner, DiskSpace? space = null, ICommitPoint? commitPoint = null)
    {
        _space = space;
        _commitPoint = commitPoint ?? LocalCommitPoint.Instance;
        _log = log;
        _attribution = attribution;
        _view = view;
        _published = published;
        _time = time;
        _logger = logger;
        _owner = owner;
    }

    /// <summary>
    /// Raised after every durable batch, in order, under the write gate (keep handlers short; they must not write).
    /// The grey lifecycle learns deadlines from it.
    /// </summary>
    public event Action<IReadOnlyList<Change>>? Committed;

    /// <summary>True once a commit failed: the view is not checkpointed past it and writes are refused.</summary>
    public bool Faulted => Volatile.Read(ref _fault) is not null;

    /// <summary>
    /// One write: <paramref name="plan"/> reads records through the <see cref="PlannedWrite"/> (which sees its own
    /// earlier appends) and appends changes; they are committed once and published. Returns the changes written
    /// (none: nothing was committed).
    /// </summary>
    /// <param name="plan">Plans the write; it runs under the write gate, so records it reads are current.</param>
    /// <param name="commitFailed">The message of the <see cref="InvalidOperationException"/> a failed commit throws.</param>
    /// <param name="attribution">Who writes, and the comment: recorded for every change of the batch (history shows them).</param>
    /// <param name="ct">Cancels the wait for the gate, not a commit under way.</param>
    /// <exception cref="ObjectDisposedException">The registry is closing.</exception>
    /// <exception cref="InvalidOperationException">The change log failed, now or earlier; restart the registry.</exception>
    /// <exception cref="CommitUnavailableException">The commit point did not acknowledge; nothing was written, retry.</exception>
    public async Task<IReadOnlyList<Change>> WriteAsync(Action<PlannedWrite> plan, string commitFailed, Attribution attribution, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            double planMs = 0, commitMs = 0;
            for (int attempt = 1; ; attempt++)
            {
                ThrowIfUnwritable();
                ct.ThrowIfCancellationRequested();
                long started = Stopwatch.GetTimestamp();
                List<(Change Change, ulong Previous)> planned = Plan(plan);
                planMs += Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                var changes = new List<Change>(planned.Count);
                if (planned.Count == 0) return changes;
                if (_space?.Shortage() is { } shortage)
                {
                    // Refused before the log sees it: nothing written, and the same write goes through once space is freed.
                    RegistryLog.DiskFull(_logger, shortage);
                    throw new RegistryDiskFullException($"{shortage}; nothing was written. Free space on that disk and retry; no restart is needed.");
                }
                long committing = Stopwatch.GetTimestamp();
                AppendResult committed = await CommitAtCommitPointAsync(planned, attribution, ct).ConfigureAwait(false);
                commitMs += Stopwatch.GetElapsedTime(committing).TotalMilliseconds;
                if (committed.Outcome == AppendOutcome.LostRace)
                {
                    // Another registry process wrote first: take its changes, then plan again against the view they
                    // left (a line it already wrote is now unchanged). Bounded: each retry follows someone's progress.
                    if (attempt == MaxAttempts)
                        throw new CommitUnavailableException($"lost the race to other registry processes {MaxAttempts} times in a row; the batch was not acknowledged"
                            + (committed.Written > 0 ? $" ({committed.Written} of its changes are in the log)" : "") + "; retry (the same push again is safe)");
                    // A part the stream took before the other writer's changes (a large batch, across publish windows)
                    // is this write's: its attribution is recorded as such; the plan again finds those lines so.
                    ulong ours = committed.Written > 0 ? planned[committed.Written - 1].Change.Sequence : 0;
                    await CatchUpLockedAsync(committed.StreamLastSequence, ct, ours, attribution).ConfigureAwait(false);
                    continue;
                }
                foreach ((Change change, _) in planned) changes.Add(change);
                long local = Stopwatch.GetTimestamp();
                await AppendLocallyAsync(planned, attribution, commitFailed).ConfigureAwait(false);
                Publish(changes);
                RegistryLog.WriteTimed(_logger, changes.Count, planMs, commitMs, attempt, Stopwatch.GetElapsedTime(local).TotalMilliseconds);
                return changes;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Times a write plans again after losing the race before it gives up.</summary>
    private const int MaxAttempts = 20;

    /// <summary>
    /// The attribution of changes another registry process wrote when the stream does not say who (a message of a
    /// writer that did not carry it); otherwise the stream's own is recorded.
    /// </summary>
    internal static readonly Attribution OtherProcess = new("registry-peer", null);

    private void ThrowIfUnwritable()
    {
        if (_closed) throw new ObjectDisposedException(_owner);
        if (_fault is not null) throw new InvalidOperationException("The registry's change log failed earlier; restart the registry.", _fault);
    }

    // Plan first, append after: a plan that throws midway must leave nothing in the log's memory or the sequence
    // index, or the next write would reuse those numbers and every write would fail until a restart.
    private List<(Change Change, ulong Previous)> Plan(Action<PlannedWrite> plan)
    {
        var planned = new List<(Change Change, ulong Previous)>();
        using ImeiStoreSession session = _view.NewSession();
        plan(new PlannedWrite(session, _published.Value + 1, _time.GetUtcNow().ToUnixTimeMilliseconds(),
            (change, previous) => planned.Add((change, previous))));
        return planned;
    }

    // An unknown outcome leaves the local log untouched: the
    // next write plans at the same numbers, and loses the race to this batch if it did get in.
    private async Task<AppendResult> CommitAtCommitPointAsync(List<(Change Change, ulong Previous)> planned, Attribution attribution, CancellationToken ct)
    {
        if (_commitPoint is LocalCommitPoint) return new AppendResult(AppendOutcome.Appended, planned.Count, planned[^1].Change.Sequence);
        var batch = new LoggedChange[planned.Count];
        for (int i = 0; i < batch.Length; i++) batch[i] = new LoggedChange(planned[i].Change, planned[i].Previous);
        try
        {
            AppendResult result = await _commitPoint.CommitAsync(batch, attribution, ct).ConfigureAwait(false);
            if (_streamDown)
            {
                _streamDown = false;
                RegistryLog.StreamAvailableAgain(_logger);
            }
            return result;
        }
        catch (ChangeStreamUnavailableException e)
        {
            // Once per outage: with every NATS server down each retried write (a node's sightings, grey expiry) fails.
            if (_streamDown) RegistryLog.StreamStillUnavailable(_logger, e);
            else RegistryLog.StreamUnavailable(_logger, e);
            _streamDown = true;
            throw new CommitUnavailableException($"{e.Message}; the batch was not acknowledged: retry (the same push again is safe)", e);
        }
    }

    /// <summary>
    /// Catches the local log and view up with changes other registry processes committed (background tail, start-up).
    /// Returns the changes taken.
    /// </summary>
    /// <exception cref="ChangeStreamUnavailableException">The commit point did not answer.</exception>
    public async Task<int> CatchUpAsync(CancellationToken ct)
    {
        if (_commitPoint is LocalCommitPoint) return 0;
        ulong last = await _commitPoint.LastSequenceAsync(ct).ConfigureAwait(false);
        if (last <= _published.Value) return 0;
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ThrowIfUnwritable();
            return await CatchUpLockedAsync(last, ct).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Follows the commit point from the published change on, taking the batches other registry processes commit as
    /// they are committed (the background tail; woken by the stream, not by a poll). Returns when it cannot go on from
    /// what it was given (a gap after a failed catch-up): the caller catches up (<see cref="CatchUpAsync"/>) and
    /// follows again.
    /// </summary>
    /// <exception cref="ChangeStreamUnavailableException">The commit point did not answer.</exception>
    public async Task FollowAsync(CancellationToken ct)
    {
        if (_commitPoint is LocalCommitPoint) return;
        // Read ahead while taking: what arrived meanwhile is taken together, up to a catch-up chunk per local commit,
        // so a follower behind a large push commits locally per 4096 changes, not per stream message.
        var ready = Channel.CreateBounded<IReadOnlyList<LoggedChange>>(new BoundedChannelOptions(16) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Task reading = ReadAheadAsync(_commitPoint.FollowAsync(_published.Value + 1, stop.Token), ready.Writer, stop.Token);
        try
        {
            var fresh = new List<LoggedChange>();
            while (await ready.Reader.WaitToReadAsync(ct).ConfigureAwait(false))
            {
                fresh.Clear();
                while (fresh.Count < CatchUpChunk && ready.Reader.TryRead(out IReadOnlyList<LoggedChange>? batch)) fresh.AddRange(batch);
                if (!await TakeFollowedAsync(fresh, ct).ConfigureAwait(false)) return;
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await reading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private static async Task ReadAheadAsync(IAsyncEnumerable<IReadOnlyList<LoggedChange>> source, ChannelWriter<IReadOnlyList<LoggedChange>> ready,
        CancellationToken ct)
    {
        try
        {
            await foreach (IReadOnlyList<LoggedChange> batch in source.ConfigureAwait(false)) await ready.WriteAsync(batch, ct).ConfigureAwait(false);
            ready.TryComplete();
        }
        catch (Exception e)
        {
            ready.TryComplete(e);   // the taking side throws it
        }
    }

    // Under the gate: the followed changes after the published one, when they follow it; this process's own writes
    // come by too and are skipped (they are published before the gate is released). False on a gap.
    private async Task<bool> TakeFollowedAsync(List<LoggedChange> followed, CancellationToken ct)
    {
        if (followed.Count == 0 || followed[^1].Change.Sequence <= _published.Value) return true;
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ThrowIfUnwritable();
            ulong published = _published.Value;
            List<LoggedChange> fresh = followed[0].Change.Sequence > published ? followed : [.. followed.Where(c => c.Change.Sequence > published)];
            if (fresh.Count == 0) return true;
            if (fresh[0].Change.Sequence != published + 1) return false;
            await AppendLocallyAsync([.. fresh.Select(c => (c.Change, c.Previous))], OtherProcess, CommitFailed, [.. fresh.Select(c => c.By)]).ConfigureAwait(false);
            Publish([.. fresh.Select(c => c.Change)]);
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The chunk of others' changes appended and committed locally at once while catching up.</summary>
    private const int CatchUpChunk = 4096;

    // Under the gate: reads the commit point's changes after the published one through `through` into the local log and
    // the view, a chunk per local commit, each published as a batch (the grey lifecycle learns their deadlines too).
    private async Task<int> CatchUpLockedAsync(ulong through, CancellationToken ct, ulong oursThrough = 0, Attribution? ours = null)
    {
        // Bounded: the gate is held meanwhile, and a stream that stops answering mid-read must not stall every write.
        // What was taken before a timeout stays taken (each chunk is committed and published whole).
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(CatchUpTimeout);
        try
        {
            return await TakeThroughAsync(through, oursThrough, ours ?? OtherProcess, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new CommitUnavailableException($"the change stream did not deliver changes up to {through} within {CatchUpTimeout.TotalSeconds:0} s (the view is at {_published.Value}); nothing of this write was acknowledged, retry", e);
        }
        catch (Exception e) when (e is ChangeStreamUnavailableException or NATS.Client.Core.NatsException)
        {
            throw new CommitUnavailableException($"the change stream: {e.Message}; nothing of this write was acknowledged, retry", e);
        }
    }

    /// <summary>Longest a catch-up may hold the write gate. Default 30 s.</summary>
    internal TimeSpan CatchUpTimeout { get; init; } = TimeSpan.FromSeconds(30);

    private async Task<int> TakeThroughAsync(ulong through, ulong oursThrough, Attribution ours, CancellationToken ct)
    {
        int taken = 0;
        var chunk = new List<(Change Change, ulong Previous)>(Math.Min(CatchUpChunk, (int)Math.Min(int.MaxValue, through - Math.Min(through, _published.Value))));
        var carried = new List<Attribution?>(chunk.Capacity);
        await foreach (LoggedChange entry in _commitPoint.ReadAsync(_published.Value + 1, through, ct).ConfigureAwait(false))
        {
            chunk.Add((entry.Change, entry.Previous));
            carried.Add(entry.By);
            if (chunk.Count == CatchUpChunk || entry.Change.Sequence == through || entry.Change.Sequence == oursThrough)
            {
                await TakeAsync(chunk).ConfigureAwait(false);
                taken += chunk.Count;
                chunk.Clear();
                carried.Clear();
            }
        }
        if (chunk.Count > 0)
        {
            await TakeAsync(chunk).ConfigureAwait(false);
            taken += chunk.Count;
        }
        return taken;

        async Task TakeAsync(List<(Change Change, ulong Previous)> changes)
        {
            // A chunk ends where this write's own part ends, so each chunk is wholly ours or wholly another's.
            if (changes[^1].Change.Sequence <= oursThrough) await AppendLocallyAsync(changes, ours, CommitFailed).ConfigureAwait(false);
            else await AppendLocallyAsync(changes, OtherProcess, CommitFailed, carried).ConfigureAwait(false);
            Publish([.. changes.Select(c => c.Change)]);
        }
    }

    // Appends a committed (or, for the local commit point, about to be committed) batch to the local log and commits it.
    // `carried`: who wrote each change, as the stream said (null where it did not: `attribution`), one record per run.
    private async Task AppendLocallyAsync(List<(Change Change, ulong Previous)> planned, Attribution attribution, string commitFailed,
        IReadOnlyList<Attribution?>? carried = null)
    {
        try
        {
            foreach ((Change change, ulong previous) in planned) _log.Append(change, previous);
            // Durable before the commit, so no committed change lacks its actor; a record whose commit never
            // happens is past the log's end and dropped at the next open.
            if (carried is null)
            {
                _attribution.Append(planned[0].Change.Sequence, planned[^1].Change.Sequence, attribution);
            }
            else
            {
                int start = 0;
                for (int i = 1; i <= planned.Count; i++)
                {
                    if (i < planned.Count && carried[i] == carried[start]) continue;
                    _attribution.Append(planned[start].Change.Sequence, planned[i - 1].Change.Sequence, carried[start] ?? attribution);
                    start = i;
                }
            }
            await _log.CommitAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Entries may be in the log's memory, or on disk past the last commit: the state of this batch is
            // known only after a restart (recovery drops it). Refuse every further write until then.
            Volatile.Write(ref _fault, e);
            RegistryLog.LogFailed(_logger, e);
            throw new InvalidOperationException(DiskSpace.IsDiskFull(e) ? $"no space left on device (ENOSPC) while committing. {commitFailed}" : commitFailed, e);
        }
    }

    /// <summary>
    /// Runs <paramref name="action"/> between writes, under the gate (log maintenance: a commit it makes must not
    /// carry a half-appended batch; a backup's consistent start). False, without running it, when the writer is
    /// closing, or has failed unless <paramref name="evenIfFailed"/> (a read-only action): closing waits for a
    /// checkpoint in progress, so this must not wait for the gate then.
    /// </summary>
    public async Task<bool> BetweenWritesAsync(Func<Task> action, bool evenIfFailed = false)
    {
        while (!await _gate.WaitAsync(TimeSpan.FromMilliseconds(100)).ConfigureAwait(false))
        {
            if (Volatile.Read(ref _closing) != 0) return false;
        }
        try
        {
            if (_closed || Volatile.Read(ref _closing) != 0 || (_fault is not null && !evenIfFailed)) return false;
            await action().ConfigureAwait(false);
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Waits for the write in flight, refuses every later one (<see cref="ObjectDisposedException"/>) and runs
    /// <paramref name="closing"/> while still holding the gate. False, without running it, when already closed.
    /// </summary>
    public async ValueTask<bool> CloseAsync(Func<ValueTask> closing)
    {
        Volatile.Write(ref _closing, 1);
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_closed) return false;
            _closed = true;
            await closing().ConfigureAwait(false);
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The synchronous <see cref="CloseAsync"/>.</summary>
    public bool Close(Action closing)
    {
        Volatile.Write(ref _closing, 1);
        _gate.Wait();
        try
        {
            if (_closed) return false;
            _closed = true;
            closing();
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Makes committed changes visible: view first, then the published number (readers never see a number whose
    /// change is not in the view), which wakes feed readers; then tells <see cref="Committed"/>. Under the gate.
    /// </summary>
    private void Publish(List<Change> changes)
    {
        _view.Apply(changes);
        _published.Publish(changes[^1].Sequence);
        try
        {
            Committed?.Invoke(changes);
        }
        catch (Exception e)
        {
            // A listener's failure must not fail a durable, acknowledged write.
            RegistryLog.ListenerFailed(_logger, e);
        }
    }
}
