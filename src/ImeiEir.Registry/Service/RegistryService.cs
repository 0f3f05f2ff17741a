using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using ImeiEir.Core;
using ImeiEir.Store;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Registry;

/// <summary>
/// The central registry: a durable change log (the source of truth), a current-state view derived from it, and
/// the reads the HTTP API serves (feed, snapshot, records, history). One writer: batches are serialised, each
/// appended then committed once, and acknowledged only when the commit is durable.
/// <code>
/// directory/log/            the change log (<see cref="ChangeLog"/>): FasterLog, one 48-byte entry per change
/// directory/view/           the current-state view: an ImeiStore (FasterKV IMEI → record), checkpointed
/// directory/admin.token     generated admin token (when Registry:AdminToken is unset), mode 0600
/// directory/reader.token    generated reader token (when Registry:ReaderToken is unset), mode 0600
/// </code>
/// Open: recover the view's checkpoint (at sequence S; none or damaged = S 0 on an empty view), then scan the log
/// once, building the sequence index and applying every change after S. The view is therefore always the log's
/// state, however the last run ended.
/// </summary>
public sealed class RegistryService : IAsyncDisposable
{
    private readonly RegistryOptions _options;
    private readonly string _directory;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ChangeLog _log;
    private readonly ImeiStore _view;
    private readonly ConcurrentBag<ImeiStoreSession> _readers = [];
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly ITimer _checkpointTimer;

    private ulong _lastSequence;
    private ulong _checkpointedSequence;
    private TaskCompletionSource _commitSignal = NewSignal();
    private Exception? _fault;
    private int _checkpointing;
    private int _activeFeeds;
    private int _disposed;

    private RegistryService(RegistryOptions options, string directory, TimeProvider time, ILogger logger, ChangeLog log,
        ImeiStore view, ulong lastSequence, ulong recoveredSequence, ulong replayed, string adminToken, string readerToken)
    {
        RecoveredViewSequence = recoveredSequence;
        ReplayedAtOpen = replayed;
        _options = options;
        _directory = directory;
        _time = time;
        _logger = logger;
        _log = log;
        _view = view;
        _lastSequence = lastSequence;
        _checkpointedSequence = replayed > 0 ? lastSequence : recoveredSequence;
        AdminToken = adminToken;
        ReaderToken = readerToken;
        _checkpointTimer = time.CreateTimer(_ => OnCheckpointTimer(), null, options.CheckpointInterval, options.CheckpointInterval);
    }

    /// <summary>The last durable (committed) change number; 0 for an empty registry.</summary>
    public ulong LastSequence => Volatile.Read(ref _lastSequence);

    /// <summary>The effective admin token (configured or generated). Never log it.</summary>
    public string AdminToken { get; }

    /// <summary>The effective reader token (configured or generated). Never log it.</summary>
    public string ReaderToken { get; }

    /// <summary>The options the registry was opened with.</summary>
    public RegistryOptions Options => _options;

    /// <summary>The clock of change times, heartbeats and checkpoint intervals.</summary>
    public TimeProvider Time => _time;

    /// <summary>The registry's data directory.</summary>
    public string Directory => _directory;

    /// <summary>The sequence the view's checkpoint was recovered at when the registry opened (0: none, or damaged).</summary>
    internal ulong RecoveredViewSequence { get; }

    /// <summary>Changes replayed from the log into the view when the registry opened.</summary>
    internal ulong ReplayedAtOpen { get; }

    /// <summary>Bytes of change log (from its beginning to its tail).</summary>
    public long LogBytes => _log.Bytes;

    /// <summary>Feed streams open now (for metrics).</summary>
    public int ActiveFeeds => Volatile.Read(ref _activeFeeds);

    internal void FeedStarted() => Interlocked.Increment(ref _activeFeeds);

    internal void FeedEnded() => Interlocked.Decrement(ref _activeFeeds);

    /// <summary>
    /// Opens the registry in <paramref name="directory"/>, creating it when new: tokens, change log recovery to its
    /// last commit, view recovery (or rebuild), replay. Checkpoints the view at once when it replayed anything, so
    /// the next start is quick.
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid (<see cref="RegistryOptions.Validate"/>).</exception>
    /// <exception cref="InvalidDataException">The change log is damaged.</exception>
    public static async Task<RegistryService> OpenAsync(RegistryOptions options, string directory, TimeProvider time, ILogger logger, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        string[] problems = options.Validate().ToArray();
        if (problems.Length > 0) throw new ArgumentException(string.Join(Environment.NewLine, problems), nameof(options));

        directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(directory);
        string adminPath = Path.Combine(directory, RegistryTokens.AdminFileName);
        string readerPath = Path.Combine(directory, RegistryTokens.ReaderFileName);
        string adminToken = RegistryTokens.Resolve(options.AdminToken, adminPath, out bool adminGenerated);
        if (adminGenerated) RegistryLog.TokenGenerated(logger, "admin", adminPath);
        string readerToken = RegistryTokens.Resolve(options.ReaderToken, readerPath, out bool readerGenerated);
        if (readerGenerated) RegistryLog.TokenGenerated(logger, "reader", readerPath);
        if (adminToken == readerToken)
            throw new ArgumentException("Registry:ReaderToken: must differ from the admin token, or a reader could write", nameof(options));

        var stopwatch = Stopwatch.StartNew();
        ChangeLog log = ChangeLog.Open(Path.Combine(directory, "log"));
        ImeiStore? view = null;
        try
        {
            ct.ThrowIfCancellationRequested();
            string viewDirectory = Path.Combine(directory, "view");
            view = OpenView(options, viewDirectory);
            ulong recovered = 0;
            if (view.TryRecover(out string? failure)) recovered = view.RecoveredSequence;
            else if (failure is not null) RegistryLog.ViewRebuilding(logger, failure);

            ulong replayed = 0;
            ulong last;
            using (ImeiStoreSession session = view.NewSession())
            {
                last = log.Scan((change, _) =>
                {
                    if (change.Sequence <= recovered) return;
                    ChangeApplier.Apply(session, change);
                    replayed++;
                });
            }

            if (recovered > last)
            {
                // The view knows changes the log does not: the log is the truth, so the view is rebuilt from it.
                RegistryLog.ViewAheadOfLog(logger, recovered, last);
                view.Dispose();
                System.IO.Directory.Delete(viewDirectory, recursive: true);
                view = OpenView(options, viewDirectory);
                log.Dispose();
                log = ChangeLog.Open(Path.Combine(directory, "log"));
                recovered = 0;
                replayed = 0;
                using ImeiStoreSession session = view.NewSession();
                last = log.Scan((change, _) =>
                {
                    ChangeApplier.Apply(session, change);
                    replayed++;
                });
            }

            if (replayed > 0) await view.CheckpointAsync(last, ct).ConfigureAwait(false);
            RegistryLog.Opened(logger, directory, last, recovered, replayed, stopwatch.ElapsedMilliseconds);
            return new RegistryService(options, directory, time, logger, log, view, last, recovered, replayed, adminToken, readerToken);
        }
        catch
        {
            view?.Dispose();
            log.Dispose();
            throw;
        }
    }

    private static ImeiStore OpenView(RegistryOptions options, string directory) =>
        new(new StoreOptions { Directory = directory, ExpectedRecords = options.ExpectedRecords });

    // ---------------------------------------------------------------- writes

    /// <summary>
    /// Applies a parsed delta. Atomic unless <paramref name="partial"/>: a batch with any bad line appends nothing
    /// and the report (<see cref="DeltaReport.Accepted"/> false) lists every bad line. Otherwise each valid line is
    /// <see cref="DeltaOutcome.Unchanged"/> when its record is already so, else appended with the next sequence
    /// number(s); the changes are committed once, and the task completes only when that commit is durable.
    /// Then the view is updated and feed readers are woken.
    /// </summary>
    /// <exception cref="ArgumentException">The batch failed as a whole (<see cref="DeltaBatch.Failure"/>).</exception>
    /// <exception cref="InvalidOperationException">The change log failed earlier; restart the registry.</exception>
    public async Task<DeltaReport> ApplyAsync(DeltaBatch batch, bool partial, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Failure is not null) throw new ArgumentException($"The delta was refused as a whole: {batch.Failure.Detail}", nameof(batch));
        if (!partial && batch.Errors.Count > 0)
        {
            var bad = new DeltaLineOutcome[batch.Errors.Count];
            for (int i = 0; i < bad.Length; i++)
                bad[i] = new DeltaLineOutcome(batch.Errors[i].Line, DeltaOutcome.Rejected, null, 0, 0, batch.Errors[i].Reason);
            return new DeltaReport(false, bad, 0, 0, bad.Length, 0, 0);
        }

        await _writeGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            if (_fault is not null) throw new InvalidOperationException("The registry's change log failed earlier; restart the registry.", _fault);
            ct.ThrowIfCancellationRequested();
            return await ApplyLockedAsync(batch).ConfigureAwait(false);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private async Task<DeltaReport> ApplyLockedAsync(DeltaBatch batch)
    {
        long started = Stopwatch.GetTimestamp();
        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        ulong first = LastSequence + 1;
        ulong next = first;
        var outcomes = new DeltaLineOutcome[batch.LineCount];
        var changes = new List<Change>(batch.Lines.Count);
        int applied = 0, unchanged = 0;

        // Plan and append: read each record from the view (current: batches are serialised and the view is
        // updated before the gate is released), decide, append. Nothing is visible to readers before the commit.
        try
        {
            using ImeiStoreSession session = _view.NewSession();
            int errorIndex = 0, lineIndex = 0, outcomeIndex = 0;
            while (outcomeIndex < outcomes.Length)
            {
                if (errorIndex < batch.Errors.Count
                    && (lineIndex >= batch.Lines.Count || batch.Errors[errorIndex].Line < batch.Lines[lineIndex].Line))
                {
                    DeltaLineError error = batch.Errors[errorIndex++];
                    outcomes[outcomeIndex++] = new DeltaLineOutcome(error.Line, DeltaOutcome.Rejected, null, 0, 0, error.Reason);
                    continue;
                }

                DeltaLine line = batch.Lines[lineIndex++];
                ulong before = next;
                switch (line.Op)
                {
                    case DeltaOp.Set:
                        if (!session.TryGet(line.Imei, out ImeiRecord current) || current.List != line.List
                            || current.Reason != line.Reason || current.DeadlineUnixSeconds != (line.List == ListKind.Grey ? line.DeadlineUnixSeconds : 0))
                        {
                            Append(new Change
                            {
                                Sequence = next++, ImeiKey = line.Imei.Key, Op = ChangeOp.Set, List = line.List, Reason = line.Reason,
                                DeadlineUnixSeconds = line.List == ListKind.Grey ? line.DeadlineUnixSeconds : 0,
                                TimeUnixMilliseconds = now, Origin = ChangeOrigin.Admin,
                            }, current.Sequence, changes);
                        }
                        break;
                    case DeltaOp.Remove:
                        if (session.TryGet(line.Imei, out ImeiRecord existing) && existing.List != ListKind.None)
                        {
                            Append(new Change
                            {
                                Sequence = next++, ImeiKey = line.Imei.Key, Op = ChangeOp.Remove, Reason = line.Reason,
                                TimeUnixMilliseconds = now, Origin = ChangeOrigin.Admin,
                            }, existing.Sequence, changes);
                        }
                        break;
                    case DeltaOp.Replace:
                        session.TryGet(line.Imei, out ImeiRecord oldRecord);
                        session.TryGet(line.NewImei, out ImeiRecord newRecord);
                        if (oldRecord.List != ListKind.Black || oldRecord.Reason != Reason.ServiceReplacement
                            || newRecord.List != ListKind.White || newRecord.Reason != Reason.ServiceReplacement)
                        {
                            // Two changes with consecutive numbers, each naming the other (Change remarks).
                            Append(new Change
                            {
                                Sequence = next++, ImeiKey = line.Imei.Key, Op = ChangeOp.Set, List = ListKind.Black,
                                Reason = Reason.ServiceReplacement, TimeUnixMilliseconds = now, Origin = ChangeOrigin.Admin,
                                RelatedImeiKey = line.NewImei.Key,
                            }, oldRecord.Sequence, changes);
                            Append(new Change
                            {
                                Sequence = next++, ImeiKey = line.NewImei.Key, Op = ChangeOp.Set, List = ListKind.White,
                                Reason = Reason.ServiceReplacement, TimeUnixMilliseconds = now, Origin = ChangeOrigin.Admin,
                                RelatedImeiKey = line.Imei.Key,
                            }, newRecord.Sequence, changes);
                        }
                        break;
                }

                if (next == before)
                {
                    unchanged++;
                    outcomes[outcomeIndex++] = new DeltaLineOutcome(line.Line, DeltaOutcome.Unchanged, line.Imei, 0, 0, null);
                }
                else
                {
                    applied++;
                    outcomes[outcomeIndex++] = new DeltaLineOutcome(line.Line, DeltaOutcome.Applied, line.Imei, before,
                        line.Op == DeltaOp.Replace ? before + 1 : 0, null);
                }
            }

            if (changes.Count > 0) await _log.CommitAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (changes.Count > 0)
        {
            // Entries may be in the log's memory, or on disk past the last commit: the state of this batch is
            // known only after a restart (recovery drops it). Refuse every further write until then.
            _fault = e;
            RegistryLog.LogFailed(_logger, e);
            throw new InvalidOperationException("The registry's change log failed while committing; the batch was not acknowledged. Restart the registry.", e);
        }

        if (changes.Count > 0) Publish(changes);

        var report = new DeltaReport(true, outcomes, applied, unchanged, batch.Errors.Count,
            changes.Count > 0 ? first : 0, changes.Count > 0 ? next - 1 : 0);
        if (changes.Count > 0)
            RegistryLog.BatchCommitted(_logger, first, next - 1, applied, unchanged, batch.Errors.Count,
                (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return report;
    }

    /// <summary>
    /// Makes committed changes visible: view first, then <see cref="LastSequence"/> (readers never see a number whose
    /// change is not in the view), then wakes feed readers and tells <see cref="Committed"/>. Under the write gate.
    /// </summary>
    private void Publish(List<Change> changes)
    {
        using (ImeiStoreSession session = _view.NewSession())
        {
            foreach (Change change in changes) ChangeApplier.Apply(session, change);
        }
        Volatile.Write(ref _lastSequence, changes[^1].Sequence);
        Interlocked.Exchange(ref _commitSignal, NewSignal()).TrySetResult();
        try
        {
            Committed?.Invoke(changes);
        }
        catch (Exception e)
        {
            // A listener's bug must not fail a durable, acknowledged write.
            RegistryLog.ListenerFailed(_logger, e);
        }
    }

    /// <summary>
    /// Raised after every durable batch, in order, under the write gate (keep handlers short; they must not write).
    /// The grey lifecycle learns deadlines from it.
    /// </summary>
    internal event Action<IReadOnlyList<Change>>? Committed;

    /// <summary>
    /// The registry's own writes (sightings, expiry): <paramref name="plan"/> reads records through the
    /// <see cref="PlannedWrite"/> (which sees its own earlier appends) and appends changes; they are committed once and
    /// published like an admin batch. Returns the changes written (none: nothing was committed).
    /// </summary>
    internal async Task<IReadOnlyList<Change>> WriteAsync(Action<PlannedWrite> plan, CancellationToken ct)
    {
        await _writeGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            if (_fault is not null) throw new InvalidOperationException("The registry's change log failed earlier; restart the registry.", _fault);
            ct.ThrowIfCancellationRequested();
            // Plan first, append after: a plan that throws midway must leave nothing in the log's memory or the
            // sequence index, or the next write would reuse those numbers and every write would fail until a restart.
            var planned = new List<(Change Change, ulong Previous)>();
            using (ImeiStoreSession session = _view.NewSession())
            {
                plan(new PlannedWrite(session, LastSequence + 1, _time.GetUtcNow().ToUnixTimeMilliseconds(), (c, previous) => planned.Add((c, previous))));
            }
            var changes = new List<Change>(planned.Count);
            if (planned.Count == 0) return changes;
            try
            {
                foreach ((Change change, ulong previous) in planned) Append(change, previous, changes);
                await _log.CommitAsync().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                _fault = e;
                RegistryLog.LogFailed(_logger, e);
                throw new InvalidOperationException("The registry's change log failed while committing; restart the registry.", e);
            }
            Publish(changes);
            return changes;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Every record of the view, tombstones included; a snapshot-like scan (the lifecycle builds its index with it).</summary>
    internal IEnumerable<(Imei Imei, ImeiRecord Record)> ScanView() => _view.Scan();

    private void Append(in Change change, ulong previous, List<Change> changes)
    {
        _log.Append(change, previous);
        changes.Add(change);
    }

    // ---------------------------------------------------------------- reads

    /// <summary>The live record of an IMEI: false when it is unknown or was removed.</summary>
    public bool TryGet(Imei imei, out ImeiRecord record)
    {
        if (TryGetAny(imei, out record) && record.List != ListKind.None) return true;
        record = default;
        return false;
    }

    /// <summary>The view's record of an IMEI, tombstones (list None, the removing change's number) included.</summary>
    internal bool TryGetAny(Imei imei, out ImeiRecord record)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (!_readers.TryTake(out ImeiStoreSession? session)) session = _view.NewSession();
        try
        {
            return session.TryGet(imei, out record);
        }
        finally
        {
            _readers.Add(session);
        }
    }

    /// <summary>
    /// Every change to an IMEI, oldest first (removals included). Follows the chain of back-links from the view's
    /// record, one exact log read per change: the cost is the IMEI's own history, whatever the log's size.
    /// </summary>
    public async IAsyncEnumerable<Change> GetHistoryAsync(Imei imei, [EnumeratorCancellation] CancellationToken ct)
    {
        if (!TryGetAny(imei, out ImeiRecord record) || record.Sequence == 0) yield break;
        var newestFirst = new List<Change>();
        // The record may carry a change committed but not yet published (the view is updated just before
        // LastSequence): it is durable and indexed, so reading it is safe.
        ulong sequence = record.Sequence;
        while (sequence != 0)
        {
            ct.ThrowIfCancellationRequested();
            (Change change, ulong previous) = await _log.ReadOneAsync(sequence, ct).ConfigureAwait(false);
            newestFirst.Add(change);
            sequence = previous;
        }
        for (int i = newestFirst.Count - 1; i >= 0; i--) yield return newestFirst[i];
    }

    /// <summary>
    /// Copies the committed changes after <paramref name="after"/>, in order, into <paramref name="buffer"/> (as many
    /// as fit) and returns how many. When there are none yet, waits up to <paramref name="wait"/> for a commit (woken
    /// by it, no polling) and returns 0 if none came. O(1) positioning: the sequence index gives the log address.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="after"/> is beyond <see cref="LastSequence"/>.</exception>
    /// <exception cref="ObjectDisposedException">The registry is closing.</exception>
    public async ValueTask<int> ReadChangesAsync(ulong after, Memory<Change> buffer, TimeSpan wait, CancellationToken ct)
    {
        if (buffer.IsEmpty) return 0;
        long deadline = 0;
        while (true)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            // Take the signal before reading the tail: a commit in between completes this signal, so it is not missed.
            Task signal = Volatile.Read(ref _commitSignal).Task;
            ulong last = LastSequence;
            if (after > last)
                throw new ArgumentOutOfRangeException(nameof(after), after, $"the registry's last change is {last}");
            if (after < last)
            {
                int count = (int)Math.Min((ulong)buffer.Length, last - after);
                _log.Read(after + 1, buffer.Span[..count]);
                return count;
            }

            if (deadline == 0) deadline = _time.GetTimestamp() + (long)(wait.TotalSeconds * _time.TimestampFrequency);
            TimeSpan remaining = _time.GetElapsedTime(_time.GetTimestamp(), deadline);
            if (remaining <= TimeSpan.Zero) return 0;
            try
            {
                await signal.WaitAsync(remaining, _time, ct).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return 0;
            }
        }
    }

    /// <summary>
    /// Writes a <see cref="SnapshotFormat"/> snapshot of every live record as of at least <see cref="LastSequence"/>
    /// when called (S, in the header). Writes continue meanwhile: a record changed during the snapshot may be
    /// written with its newer value or left out, and either way the change that did it has a number above S, so a
    /// node that applies the snapshot and then the feed from S ends exactly at the registry's state.
    /// </summary>
    public async Task WriteSnapshotAsync(Stream destination, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        ulong sequence = LastSequence;
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 1 << 20, resumeWriterThreshold: 1 << 19, useSynchronizationContext: false));
        // The view's scan holds a FASTER session for its whole run, so it runs on a thread of its own and never
        // across an await; the pipe carries its bytes to the (asynchronous) destination with back-pressure.
        Task producer = Task.Factory.StartNew(() => ProduceSnapshot(sequence, pipe.Writer), CancellationToken.None,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            await pipe.Reader.CopyToAsync(destination, ct).ConfigureAwait(false);
        }
        finally
        {
            await pipe.Reader.CompleteAsync().ConfigureAwait(false);
            await producer.ConfigureAwait(false);
        }
    }

    private void ProduceSnapshot(ulong sequence, PipeWriter writer)
    {
        Exception? error = null;
        try
        {
            SnapshotFormat.WriteHeader(sequence, writer.GetSpan(SnapshotFormat.HeaderSize));
            writer.Advance(SnapshotFormat.HeaderSize);
            ulong count = 0;
            int pending = 0;
            foreach ((Imei imei, ImeiRecord record) in _view.Scan())
            {
                if (record.List == ListKind.None) continue; // a removal's tombstone: not a live record
                SnapshotFormat.WriteRecord(imei, record, writer.GetSpan(SnapshotFormat.RecordSize));
                writer.Advance(SnapshotFormat.RecordSize);
                count++;
                if ((pending += SnapshotFormat.RecordSize) >= 64 * 1024)
                {
                    pending = 0;
                    if (writer.FlushAsync().AsTask().GetAwaiter().GetResult().IsCompleted) return; // the reader went away
                }
            }
            SnapshotFormat.WriteTrailer(count, writer.GetSpan(SnapshotFormat.TrailerSize));
            writer.Advance(SnapshotFormat.TrailerSize);
            writer.FlushAsync().AsTask().GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            error = e;
        }
        finally
        {
            writer.Complete(error);
        }
    }

    // ---------------------------------------------------------------- checkpoints and lifetime

    /// <summary>Checkpoints the view at <see cref="LastSequence"/>, so a restart replays only the log after it.</summary>
    public async Task CheckpointAsync(CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        ulong sequence = LastSequence; // every change up to it is in the view (published after the view update)
        await _view.CheckpointAsync(sequence, ct).ConfigureAwait(false);
        Volatile.Write(ref _checkpointedSequence, sequence);
        RegistryLog.Checkpointed(_logger, sequence);
    }

    private void OnCheckpointTimer()
    {
        if (Volatile.Read(ref _disposed) != 0 || LastSequence == Volatile.Read(ref _checkpointedSequence)) return;
        if (Interlocked.CompareExchange(ref _checkpointing, 1, 0) != 0) return;
        _ = Task.Run(async () =>
        {
            try
            {
                await CheckpointAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
            }
            catch (Exception e)
            {
                RegistryLog.CheckpointFailed(_logger, e);
            }
            finally
            {
                Volatile.Write(ref _checkpointing, 0);
            }
        });
    }

    /// <summary>
    /// Waits for the batch in flight, checkpoints the view, wakes feed readers (they end with
    /// <see cref="ObjectDisposedException"/>) and closes the log and the view.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await _writeGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
            await _checkpointTimer.DisposeAsync().ConfigureAwait(false);
            Volatile.Read(ref _commitSignal).TrySetException(new ObjectDisposedException(nameof(RegistryService)));
            SpinWait.SpinUntil(() => Volatile.Read(ref _checkpointing) == 0, TimeSpan.FromSeconds(30));
            if (_fault is null && LastSequence != Volatile.Read(ref _checkpointedSequence))
            {
                try
                {
                    await _view.CheckpointAsync(LastSequence).ConfigureAwait(false);
                    RegistryLog.Checkpointed(_logger, LastSequence);
                }
                catch (Exception e)
                {
                    RegistryLog.CheckpointFailed(_logger, e);
                }
            }
            while (_readers.TryTake(out ImeiStoreSession? session)) session.Dispose();
            _view.Dispose();
            _log.Dispose();
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>
    /// Closes without checkpointing the view, as a crash would leave it (tests of recovery). The log is intact up
    /// to its last commit, as after kill -9.
    /// </summary>
    internal void DisposeWithoutCheckpoint()
    {
        _writeGate.Wait();
        try
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
            _checkpointTimer.Dispose();
            Volatile.Read(ref _commitSignal).TrySetException(new ObjectDisposedException(nameof(RegistryService)));
            SpinWait.SpinUntil(() => Volatile.Read(ref _checkpointing) == 0, TimeSpan.FromSeconds(30));
            while (_readers.TryTake(out ImeiStoreSession? session)) session.Dispose();
            _view.Dispose();
            _log.Dispose();
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Appends changes to the log's memory without committing (tests: an uncommitted tail at a crash).</summary>
    internal void AppendUncommittedForTest(IEnumerable<Change> changes)
    {
        foreach (Change change in changes) _log.Append(change, 0);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
