using System.Runtime.CompilerServices;
using ImeiEir.Core;
using ImeiEir.Registry.JetStream;
using ImeiEir.Store;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Registry;

/// <summary>
/// The central registry: a durable change log (the source of truth), a current-state view derived from it, and
/// the reads the HTTP API serves (feed, snapshot, records, history). One writer: batches are serialised, each
/// appended then committed once, and acknowledged only when the commit is durable.
/// <code>
/// directory/log/            the change log (<see cref="ChangeLog"/>): FasterLog, one 48-byte entry per change
/// directory/view/           the current-state view (<see cref="RegistryView"/>): FasterKV IMEI → record, checkpointed
/// directory/admin.token     generated admin token (when Registry:AdminToken is unset), mode 0600
/// directory/reader.token    generated reader token (when Registry:ReaderToken is unset), mode 0600
/// directory/tokens          named credentials (Registry:TokensFile), written by eirctl token, reloaded on change
/// directory/attribution     who made each change, and the push's comment (<see cref="AttributionLog"/>)
/// directory/generation      the registry's generation (<see cref="RegistryGeneration"/>), made with the directory
/// </code>
/// Each job has its own part: <see cref="RegistryRecovery"/> opens, <see cref="RegistryWriter"/> writes,
/// <see cref="ChangeReader"/> serves followers, <see cref="HistoryReader"/> and <see cref="SnapshotWriter"/> read the
/// view, <see cref="CheckpointScheduler"/> checkpoints it. This class composes them and owns their lifetime.
/// </summary>
public sealed class RegistryService : IAsyncDisposable
{
    private readonly ILogger _logger;
    private readonly ChangeLog _log;
    private readonly AttributionLog _attribution;
    private readonly RegistryView _view;
    private readonly PublishedSequence _published;
    private readonly RegistryWriter _writer;
    private readonly ChangeReader _changes;
    private readonly HistoryReader _history;
    private readonly CheckpointScheduler _checkpoints;
    private readonly LogRetention _retention;
    private readonly JetStreamChangeStream? _stream;
    private readonly CancellationTokenSource _tailStop = new();
    private Task _tail = Task.CompletedTask;
    private int _activeFeeds;
    private int _disposed;

    private RegistryService(RegistryOptions options, string directory, TimeProvider time, RegimeCalendar calendar, ILogger logger,
        RecoveredRegistry recovered, string adminToken, string readerToken, CredentialStore credentials, RegistryGeneration generation,
        AttributionLog attribution, PushJournal pushes, JetStreamChangeStream? stream)
    {
        _stream = stream;
        Pushes = pushes;
        Credentials = credentials;
        Generation = generation;
        Options = options;
        Calendar = calendar;
        Directory = directory;
        Time = time;
        AdminToken = adminToken;
        ReaderToken = readerToken;
        RecoveredViewSequence = recovered.RecoveredSequence;
        ReplayedAtOpen = recovered.Replayed;
        ScannedAtOpen = recovered.Scanned;
        _logger = logger;
        _log = recovered.Log;
        _view = recovered.View;
        _published = new PublishedSequence(recovered.LastSequence);
        string owner = GetType().FullName!;
        var space = new DiskSpace(directory, options.MinFreeBytes);
        _attribution = attribution;
        if (stream is not null)
        {
            stream.ReplicaDiverged += (message, delivered, committed) =>
                RegistryLog.ReplicaDiverged(logger, stream.Stream, message, ChangeMessage.Describe(delivered), ChangeMessage.Describe(committed));
        }
        _writer = new RegistryWriter(_log, _attribution, _view, _published, time, logger, owner, space,
            stream is null ? null : new JetStreamCommitPoint(stream));
        _changes = new ChangeReader(_log, _published, time);
        _history = new HistoryReader(_view, _log, _attribution);
        ulong checkpointed = recovered.Replayed > 0 ? recovered.LastSequence : recovered.RecoveredSequence;
        _checkpoints = new CheckpointScheduler(_view, _published, checkpointed, time, options.CheckpointInterval, logger, space);
        _retention = new LogRetention(_log, _attribution, _writer, time, options, logger);
        _checkpoints.AfterCheckpoint = _retention.AfterCheckpointAsync;
        // The start read more of the log than the changes after its checkpoint (no usable index file), or replayed
        // and checkpointed anew: save the index now, so the next start need not.
        if (checkpointed > 0 && (recovered.Scanned > recovered.Replayed + 1 || recovered.Replayed > 0))
        {
            try
            {
                _log.SaveIndex(checkpointed);
            }
            catch (IOException e)
            {
                RegistryLog.RetentionFailed(logger, e);
            }
        }
    }

    /// <summary>The regime's calendar: a bare-date deadline in a delta is midnight there, and deadlines are shown in it.</summary>
    public RegimeCalendar Calendar { get; }

    /// <summary>
    /// Which history this registry's change numbers belong to: made when its data directory was created (or restored
    /// from a backup) and kept in <c>directory/generation</c> for its life. Sent with every snapshot and feed.
    /// </summary>
    public RegistryGeneration Generation { get; }

    /// <summary>The last durable (committed) change number; 0 for an empty registry.</summary>
    public ulong LastSequence => _published.Value;

    /// <summary>The effective admin token (configured or generated). Never log it.</summary>
    public string AdminToken { get; }

    /// <summary>The effective reader token (configured or generated). Never log it.</summary>
    public string ReaderToken { get; }

    /// <summary>Recent pushes' outcomes by idempotency key (README, "Retrying a push").</summary>
    internal PushJournal Pushes { get; }

    /// <summary>The named credentials (<c>Registry:TokensFile</c>), reloaded when their file changes.</summary>
    internal CredentialStore Credentials { get; }

    /// <summary>The options the registry was opened with.</summary>
    public RegistryOptions Options { get; }

    /// <summary>The clock of change times, heartbeats and checkpoint intervals.</summary>
    public TimeProvider Time { get; }

    /// <summary>The registry's data directory.</summary>
    public string Directory { get; }

    /// <summary>The sequence the view's checkpoint was recovered at when the registry opened (0: none, or damaged).</summary>
    internal ulong RecoveredViewSequence { get; }

    /// <summary>Changes replayed from the log into the view when the registry opened.</summary>
    internal ulong ReplayedAtOpen { get; }

    /// <summary>Log entries read when the registry opened: those after the persisted sequence index (all without one).</summary>
    internal ulong ScannedAtOpen { get; }

    /// <summary>The first change the log still holds (1 until retention truncates it); history begins there.</summary>
    public ulong FirstRetainedSequence => _log.FirstSequence;

    /// <summary>
    /// The first change the feed serves (<see cref="RegistryOptions.FeedRetention"/>): a node whose position is before
    /// it gets 409 and bootstraps from the snapshot.
    /// </summary>
    public ulong FeedFirstSequence => _retention.FeedFirst;

    /// <summary>Bytes of change log (from its beginning to its tail).</summary>
    public long LogBytes => _log.Bytes;

    /// <summary>Feed streams open now (for metrics).</summary>
    public int ActiveFeeds => Volatile.Read(ref _activeFeeds);

    internal void FeedStarted() => Interlocked.Increment(ref _activeFeeds);

    internal void FeedEnded() => Interlocked.Decrement(ref _activeFeeds);

    /// <summary>
    /// Opens the registry in <paramref name="directory"/>, creating it when new: tokens, change log recovery to its
    /// last commit, view recovery (or rebuild), replay (<see cref="RegistryRecovery"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid (<see cref="RegistryOptions.Validate"/>).</exception>
    /// <exception cref="InvalidDataException">The change log is damaged.</exception>
    public static Task<RegistryService> OpenAsync(RegistryOptions options, string directory, TimeProvider time, ILogger logger, CancellationToken ct) =>
        OpenAsync(options, directory, time, RegimeCalendar.Default, logger, ct);

    /// <summary>As <see cref="OpenAsync(RegistryOptions, string, TimeProvider, ILogger, CancellationToken)"/>, in the regime's <paramref name="calendar"/>.</summary>
    public static async Task<RegistryService> OpenAsync(RegistryOptions options, string directory, TimeProvider time, RegimeCalendar calendar,
        ILogger logger, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        string[] problems = options.Validate().ToArray();
        if (problems.Length > 0) throw new ArgumentException(string.Join(Environment.NewLine, problems), nameof(options));

        directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(directory);
        if (File.Exists(Path.Combine(directory, RegistryRestore.IncompleteMarker)))
            throw new InvalidDataException($"{directory} holds a restore that did not finish ({RegistryRestore.IncompleteMarker}); delete the directory and restore again");
        (string adminToken, string readerToken) = RegistryTokens.Resolve(options, directory, logger);
        CredentialStore credentials = CredentialStore.Open(options.TokensFile ?? Path.Combine(directory, CredentialsFile.FileName), logger);
        JetStreamChangeStream? stream = options.UsesJetStream
            ? await JetStreamChangeStream.OpenAsync(options.Nats, ct).ConfigureAwait(false)
            : null;
        RecoveredRegistry? recovered = null;
        AttributionLog? attribution = null;
        RegistryService? service = null;
        try
        {
            // Before the log is opened: a log never exists without the generation that names its history. With a
            // stream, the history is the stream's (every registry process of it reports one generation).
            RegistryGeneration generation = stream is null
                ? GenerationFile.ReadOrCreate(directory, logger)
                : StreamGeneration.Adopt(directory, stream, logger);
            recovered = await RegistryRecovery.OpenAsync(options, directory, logger, ct).ConfigureAwait(false);
            if (stream is not null) await StreamGeneration.CheckLocalLogAsync(directory, stream, generation, recovered.LastSequence, ct).ConfigureAwait(false);
            attribution = AttributionLog.Open(directory, recovered.LastSequence);
            PushJournal pushes = PushJournal.Open(directory, time);
            service = new RegistryService(options, directory, time, calendar, logger, recovered, adminToken, readerToken, credentials, generation,
                attribution, pushes, stream);
            if (stream is not null) await service.JoinStreamAsync(stream, recovered.LastSequence, ct).ConfigureAwait(false);
            return service;
        }
        catch
        {
            if (service is not null)
            {
                await service.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                attribution?.Dispose();
                recovered?.View.Dispose();
                recovered?.Log.Dispose();
                if (stream is not null) await stream.DisposeAsync().ConfigureAwait(false);
            }
            throw;
        }
    }

    /// <summary>
    /// How often a registry on a change stream checks that its tail is not stuck: the tail follows the stream and is
    /// woken by each message (<see cref="RegistryWriter.FollowAsync"/>); this poll only catches up when the view did
    /// not move while the stream did. Settable for tests only.
    /// </summary>
    internal static TimeSpan TailCheckInterval { get; set; } = TimeSpan.FromSeconds(1);

    // Start-up on a stream: the local checkpoint and log are recovered; now the stream's tail, before serving, then the
    // background tail that keeps this process's view fresh with the other processes' writes.
    private async Task JoinStreamAsync(JetStreamChangeStream stream, ulong local, CancellationToken ct)
    {
        await _writer.CatchUpAsync(ct).ConfigureAwait(false);
        RegistryLog.StreamJoined(_logger, stream.Stream, Generation.ToString(), local, LastSequence);
        _tail = Task.WhenAll(
            Task.Run(() => FollowAsync(_tailStop.Token), CancellationToken.None),
            Task.Run(() => CheckTailAsync(_tailStop.Token), CancellationToken.None));
    }

    // The tail proper: an ordered consumer on the stream from the view's next change, each message taken as it is
    // stored (within milliseconds of its acknowledgement, where the 200 ms poll it replaces waited 100 ms on average).
    private async Task FollowAsync(CancellationToken ct)
    {
        bool failing = false;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await _writer.CatchUpAsync(ct).ConfigureAwait(false);
                if (failing) RegistryLog.TailRecovered(_logger, LastSequence);
                failing = false;
                await _writer.FollowAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (Exception e)
            {
                // Logged once per outage, not every try; the next try starts from the view's next change again.
                if (!failing) RegistryLog.TailFailed(_logger, e);
                failing = true;
                try
                {
                    await Task.Delay(TailCheckInterval, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    // A safety net under the follower: when the view stayed put for a whole interval while the stream moved on (a
    // consumer stuck on a server that stopped answering), catch up by reading, as the follower would after a failure.
    private async Task CheckTailAsync(CancellationToken ct)
    {
        ulong seen = LastSequence;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TailCheckInterval, ct).ConfigureAwait(false);
                ulong now = LastSequence;
                if (now == seen) await _writer.CatchUpAsync(ct).ConfigureAwait(false);
                seen = LastSequence;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (Exception)
            {
                // The follower logs the outage; the next interval tries again.
            }
        }
    }

    private async Task StopTailAsync()
    {
        _tailStop.Cancel();
        try
        {
            await _tail.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    // ---------------------------------------------------------------- writes

    /// <summary>
    /// Applies a parsed delta (<see cref="DeltaWrite"/>). Atomic unless <paramref name="partial"/>: a batch with any
    /// bad line appends nothing and the report (<see cref="DeltaReport.Accepted"/> false) lists every bad line.
    /// Otherwise each valid line is <see cref="DeltaOutcome.Unchanged"/> when its record is already so, else appended
    /// with the next sequence number(s); the changes are committed once, and the task completes only when that
    /// commit is durable. Then the view is updated and feed readers are woken.
    /// </summary>
    /// <exception cref="ArgumentException">The batch failed as a whole (<see cref="DeltaBatch.Failure"/>).</exception>
    /// <exception cref="InvalidOperationException">The change log failed earlier; restart the registry.</exception>
    public Task<DeltaReport> ApplyAsync(DeltaBatch batch, bool partial, CancellationToken ct) =>
        ApplyAsync(batch, partial, "admin", null, ct);

    /// <summary>
    /// As <see cref="ApplyAsync(DeltaBatch, bool, CancellationToken)"/>, recording <paramref name="actor"/> (the
    /// credential's name) and <paramref name="comment"/> (or null) on every change; history shows them.
    /// </summary>
    public Task<DeltaReport> ApplyAsync(DeltaBatch batch, bool partial, string actor, string? comment, CancellationToken ct) =>
        DeltaWrite.ApplyAsync(_writer, batch, partial, new Attribution(actor, comment), _logger, ct);

    /// <summary>
    /// What <see cref="ApplyAsync(DeltaBatch, bool, string, string?, CancellationToken)"/> would do with the batch
    /// now, line by line, writing nothing (no change, no attribution): every line's outcome as a partial push would
    /// have it, no sequence numbers, accepted when the push as sent would be.
    /// </summary>
    public Task<DeltaReport> DryRunAsync(DeltaBatch batch, bool partial, CancellationToken ct) =>
        DeltaWrite.ApplyAsync(_writer, batch, partial, dryRun: true, new Attribution("dry run", null), _logger, ct);

    /// <summary>
    /// The registry's own writes (sightings, expiry): <paramref name="plan"/> reads records through the
    /// <see cref="PlannedWrite"/> (which sees its own earlier appends) and appends changes; they are committed once and
    /// published like an admin batch. Returns the changes written (none: nothing was committed).
    /// </summary>
    internal Task<IReadOnlyList<Change>> WriteAsync(Action<PlannedWrite> plan, Attribution attribution, CancellationToken ct) =>
        _writer.WriteAsync(plan, RegistryWriter.CommitFailed, attribution, ct);

    /// <summary>As <see cref="WriteAsync(Action{PlannedWrite}, Attribution, CancellationToken)"/>, by <c>admin</c> with no comment.</summary>
    internal Task<IReadOnlyList<Change>> WriteAsync(Action<PlannedWrite> plan, CancellationToken ct) =>
        WriteAsync(plan, new Attribution("admin", null), ct);

    /// <summary>
    /// Raised after every durable batch, in order, under the write gate (keep handlers short; they must not write).
    /// The grey lifecycle learns deadlines from it.
    /// </summary>
    internal event Action<IReadOnlyList<Change>>? Committed
    {
        add => _writer.Committed += value;
        remove => _writer.Committed -= value;
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
    /// <summary>The rightful IMSIs of a paired IMEI (docs/ARCHITECTURE.md, rule 2a); empty for an unpaired one.</summary>
    internal PackedImsi[] GetPairs(Imei imei)
    {
        ThrowIfDisposed();
        var pairs = new PackedImsi[PairTable.MaxPairs];
        return pairs[.._view.GetPairs(imei, pairs)];
    }

    internal bool TryGetAny(Imei imei, out ImeiRecord record)
    {
        ThrowIfDisposed();
        return _view.TryGet(imei, out record);
    }

    /// <summary>Every record of the view, tombstones included; a snapshot-like scan (the lifecycle builds its index with it).</summary>
    internal IEnumerable<(Imei Imei, ImeiRecord Record)> ScanView() => _view.Scan();

    /// <summary>
    /// Every change to an IMEI, oldest first (removals included), following its chain of back-links
    /// (<see cref="HistoryReader"/>): the cost is the IMEI's own history, whatever the log's size.
    /// </summary>
    public async IAsyncEnumerable<Change> GetHistoryAsync(Imei imei, [EnumeratorCancellation] CancellationToken ct)
    {
        ThrowIfDisposed();
        await foreach (Change change in _history.ReadAsync(imei, ct).ConfigureAwait(false)) yield return change;
    }

    /// <summary>Who made a change of <see cref="GetHistoryAsync"/>, and the push's comment (null when none).</summary>
    public (string Actor, string? Comment) GetAttribution(in Change change)
    {
        Attribution attribution = _history.AttributionOf(change);
        return (attribution.Actor, attribution.Comment);
    }

    /// <summary>
    /// Copies the committed changes after <paramref name="after"/>, in order, into <paramref name="buffer"/> (as many
    /// as fit) and returns how many. When there are none yet, waits up to <paramref name="wait"/> for a commit (woken
    /// by it, no polling) and returns 0 if none came (<see cref="ChangeReader"/>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="after"/> is beyond <see cref="LastSequence"/>.</exception>
    /// <exception cref="ObjectDisposedException">The registry is closing.</exception>
    public ValueTask<int> ReadChangesAsync(ulong after, Memory<Change> buffer, TimeSpan wait, CancellationToken ct) =>
        _changes.ReadAsync(after, buffer, wait, ct);

    /// <summary>
    /// Writes a <see cref="SnapshotFormat"/> snapshot of every live record as of at least <see cref="LastSequence"/>
    /// when called (<see cref="SnapshotWriter"/>).
    /// </summary>
    public async Task WriteSnapshotAsync(Stream destination, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ThrowIfDisposed();
        await SnapshotWriter.WriteAsync(_view, LastSequence, Generation, destination, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes a <see cref="BackupFormat"/> backup of the registry as of <see cref="LastSequence"/> when called (its
    /// whole change log up to there, <see cref="BackupWriter"/>) while writes go on; returns that sequence.
    /// Once retention has truncated the log (it begins at F), the backup holds the records whose last change is before
    /// F, then changes F..S (<see cref="BackupBase"/>).
    /// <paramref name="started"/> is told the sequence before the first byte (an HTTP answer names it in a header).
    /// </summary>
    public Task<ulong> WriteBackupAsync(Stream destination, Action<ulong>? started, CancellationToken ct) =>
        WriteBackupAsync(destination, started, static () => [], ct);

    /// <summary>
    /// As <see cref="WriteBackupAsync(Stream, Action{ulong}, CancellationToken)"/>, with the state beside the log that
    /// <paramref name="captureSections"/> copies right after the sequence is read (the TAC database, the notifier's).
    /// </summary>
    public async Task<ulong> WriteBackupAsync(Stream destination, Action<ulong>? started, Func<IReadOnlyList<BackupSection>> captureSections,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(captureSections);
        ThrowIfDisposed();
        ulong sequence = 0, first = 1, baseRecords = 0;
        IDisposable? hold = null;
        string baseFile = Path.Combine(Directory, $"backup-base-{Guid.NewGuid():N}.tmp");
        try
        {
            // Under the write gate, where truncation runs: the log's beginning then stays put for the whole copy, and
            // the view is exactly the published state, so the records whose last change the log no longer holds are
            // the state as of the sequence (they cannot have changed since: a change would be in the log).
            bool taken = await _writer.BetweenWritesAsync(() =>
            {
                hold = _log.HoldBeginning();
                sequence = LastSequence;
                first = _log.FirstSequence;
                if (first > 1) baseRecords = BackupBase.Write(_view, first, baseFile);
                return Task.CompletedTask;
            }, evenIfFailed: true).ConfigureAwait(false); // a failed log is still whole up to its last commit
            if (!taken) throw new ObjectDisposedException(GetType().FullName, "The registry is closing; no backup was taken.");
            // Captured at once, not after the changes are streamed: as close to S as state kept outside the log can be.
            byte[] sections = BackupFormat.EncodeSections(captureSections());
            started?.Invoke(sequence);
            // Every record up to the published sequence is on disk: it is written before its batch commits.
            byte[] attribution = _attribution.EncodeUpto(sequence);
            await BackupWriter.WriteAsync(_changes, sequence, attribution, sections, Generation, Time.GetUtcNow().ToUnixTimeMilliseconds(),
                first, first > 1 ? baseFile : null, baseRecords, destination, ct).ConfigureAwait(false);
            return sequence;
        }
        finally
        {
            hold?.Dispose();
            File.Delete(baseFile);
        }
    }

    /// <summary>
    /// The registry's sequence, generation and the digest of its live records (a full scan of the view: seconds at
    /// tens of millions of records; for operators, not for polling). Writes go on meanwhile; the scan is repeated (up
    /// to 3 times) until none happened during it, so the digest is exactly the state at the sequence reported.
    /// </summary>
    public RegistryStatus GetStatus()
    {
        ThrowIfDisposed();
        const int Attempts = 3;
        for (int attempt = 1; ; attempt++)
        {
            // A batch is appended to the log before it reaches the view, and published after: with nothing appended
            // beyond the published number before and after the scan, no batch touched the view during it.
            ulong before = LastSequence;
            bool quietBefore = _log.LastAppended == before;
            StateDigest digest = _view.Digest();
            bool consistent = quietBefore && LastSequence == before && _log.LastAppended == before;
            if (consistent || attempt == Attempts) return new RegistryStatus(before, Generation, digest, consistent);
        }
    }

    // ---------------------------------------------------------------- checkpoints and lifetime

    /// <summary>Checkpoints the view at <see cref="LastSequence"/>, so a restart replays only the log after it.</summary>
    public async Task CheckpointAsync(CancellationToken ct)
    {
        ThrowIfDisposed();
        await _checkpoints.CheckpointAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits for the batch in flight, checkpoints the view, wakes feed readers (they end with
    /// <see cref="ObjectDisposedException"/>) and closes the log and the view.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await StopTailAsync().ConfigureAwait(false);
        await _writer.CloseAsync(async () =>
        {
            Volatile.Write(ref _disposed, 1);
            _published.Close(GetType().FullName!);
            await _checkpoints.StopAsync().ConfigureAwait(false);
            if (!_writer.Faulted) await _checkpoints.CheckpointAtCloseAsync().ConfigureAwait(false);
            Close();
        }).ConfigureAwait(false);
    }

    /// <summary>
    /// Closes without checkpointing the view, as a crash would leave it (tests of recovery). The log is intact up
    /// to its last commit, as after kill -9.
    /// </summary>
    internal void DisposeWithoutCheckpoint()
    {
        StopTailAsync().GetAwaiter().GetResult();
        _writer.Close(() =>
        {
            Volatile.Write(ref _disposed, 1);
            _published.Close(GetType().FullName!);
            _checkpoints.Stop();
            Close();
        });
    }

    /// <summary>Appends changes to the log's memory without committing (tests: an uncommitted tail at a crash).</summary>
    internal void AppendUncommittedForTest(IEnumerable<Change> changes)
    {
        foreach (Change change in changes) _log.Append(change, 0);
    }

    private void Close()
    {
        // The stream's connection goes with the writer: nothing commits after this.
        _stream?.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(5));
        Pushes.Dispose();
        _view.Dispose();
        _log.Dispose();
        _attribution.Dispose();
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
