using FASTER.core;
using ImeiEir.Core;

namespace ImeiEir.Store;

/// <summary>
/// The IMEI lists in memory: a FASTER key-value store from the packed IMEI key (<see cref="Imei.Key"/>) to a
/// 16-byte <see cref="ImeiRecord"/>, on FASTER's blittable path (no serializers, records inline in the log).
/// Readers and writers use one <see cref="ImeiStoreSession"/> each. The log is sized so every record stays in
/// memory (see <see cref="StoreOptions.MemorySizeBits"/>); when <see cref="StoreOptions.Directory"/> is set, the
/// log's device and snapshot checkpoints live there.
/// </summary>
/// <remarks>
/// Layout of <see cref="StoreOptions.Directory"/>:
/// <code>
/// log/hlog.log.N          hybrid log segments (only what has been flushed: the read-only region)
/// checkpoints/            FASTER index-checkpoints/TOKEN and cpr-checkpoints/TOKEN
/// checkpoint.manifest     the latest complete checkpoint: token, and length + XXH128 of each of its files
/// </code>
/// </remarks>
public sealed class ImeiStore : IDisposable
{
    private const string ManifestFileName = "checkpoint.manifest";
    private const int ScanChunk = 1024;

    private readonly string? _directory;
    private readonly string? _temporaryDirectory;
    private readonly string _logPath;
    private readonly long _indexBuckets;
    private readonly int _memorySizeBits;
    private readonly bool _hugePageIndex;
    private readonly SemaphoreSlim _checkpointGate = new(1, 1);
    private IDevice _device;
    private FasterKV<long, ImeiRecord> _kv;
    private HashIndexView _index;
    private int _sessionsOpened;
    private long _diskReads;
    private volatile bool _complete;
    private bool _disposed;

    /// <summary>Opens (or creates) the store; call <see cref="TryRecover()"/> next to load the latest checkpoint.</summary>
    /// <exception cref="ArgumentException">The options are invalid (<see cref="StoreOptions.Validate"/>).</exception>
    public ImeiStore(StoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        IReadOnlyList<string> problems = options.Validate();
        if (problems.Count > 0) throw new ArgumentException(string.Join(Environment.NewLine, problems), nameof(options));

        _indexBuckets = StoreSizing.IndexBuckets(options.ExpectedRecords);
        _memorySizeBits = StoreSizing.MemorySizeBits(options);
        _hugePageIndex = options.HugePageIndex;
        if (options.Directory is not null)
        {
            _directory = Path.GetFullPath(options.Directory);
            _logPath = Path.Combine(_directory, "log", "hlog.log");
            System.IO.Directory.CreateDirectory(CheckpointDirectory!);
        }
        else
        {
            // No null device: if the log ever outgrew memory, evicted pages would be lost. A temporary file
            // costs nothing while everything fits in memory and keeps lookups correct if it does not.
            _temporaryDirectory = Path.Combine(Path.GetTempPath(), "imeieir-store-" + Guid.NewGuid().ToString("N"));
            _logPath = Path.Combine(_temporaryDirectory, "hlog.log");
        }
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(_logPath)!);
        (_device, _kv) = Open();
    }

    /// <summary>
    /// Whether batches prefetch the hash buckets they are about to touch (<see cref="ImeiStoreSession.Prefetch"/>);
    /// false only if FASTER's internal layout is not the one this build knows.
    /// </summary>
    public bool PrefetchAvailable => _index.IsAvailable;

    /// <summary>Bytes of the hash index Linux was asked to back with 2 MiB pages when the store opened (0 when not).</summary>
    public long HugePageIndexBytes { get; private set; }

    internal HashIndexView Index => _index;

    /// <summary>The store's directory (<see cref="StoreOptions.Directory"/>, as a full path); null for a store in memory.</summary>
    public string? DirectoryPath => _directory;

    /// <summary>The reason the last <see cref="TryRecover()"/> failed on an existing checkpoint; null otherwise.</summary>
    public string? RecoveryFailure { get; private set; }

    /// <summary>The token of the checkpoint loaded by <see cref="TryRecover()"/>, or of the last one taken.</summary>
    public Guid? CheckpointToken { get; private set; }

    /// <summary>The applied sequence recorded with the recovered checkpoint; 0 when nothing was recovered.</summary>
    public ulong RecoveredSequence { get; private set; }

    /// <summary>When the recovered checkpoint was written (its manifest's time); null when nothing was recovered.</summary>
    public DateTimeOffset? RecoveredCheckpointTime { get; private set; }

    /// <summary>
    /// Whether the store holds a whole state of its source: its owner applied a snapshot to the end (<see
    /// cref="MarkComplete"/>) and has not begun rebuilding it since (<see cref="MarkIncompleteAsync"/>), or it was
    /// recovered from a checkpoint taken while that was so. Every checkpoint records it beside the sequence, so a
    /// store recovered from a checkpoint taken half-way through a bootstrap is not complete. A new store is not.
    /// One volatile read: cheap enough for every answer.
    /// </summary>
    public bool IsComplete => _complete;

    /// <summary>The store now holds a whole state (a snapshot has been applied to its end); later checkpoints say so.</summary>
    public void MarkComplete() => _complete = true;

    /// <summary>
    /// The store is about to be rebuilt (cleared for a new bootstrap): no longer complete. Waits for a checkpoint in
    /// progress, which then still holds the whole former state; every later checkpoint records "not complete" until
    /// <see cref="MarkComplete"/>.
    /// </summary>
    public async Task MarkIncompleteAsync(CancellationToken ct = default)
    {
        await _checkpointGate.WaitAsync(ct).ConfigureAwait(false);
        _complete = false;
        _checkpointGate.Release();
    }

    /// <summary>Memory use and disk reads, for metrics.</summary>
    public StoreStatistics Statistics
    {
        get
        {
            LogAccessor<long, ImeiRecord> log = _kv.Log;
            return new StoreStatistics(
                LogBytes: log.TailAddress - log.BeginAddress,
                SpilledBytes: Math.Max(0, log.HeadAddress - log.BeginAddress),
                MemoryCapacityBytes: 1L << _memorySizeBits,
                IndexBytes: _indexBuckets * StoreSizing.BucketBytes,
                DiskReads: Interlocked.Read(ref _diskReads));
        }
    }

    /// <summary>
    /// How many records a checkpoint now would write: every record version in the log, live or superseded (a
    /// snapshot checkpoint copies the whole log, so its cost grows with this, not with the changes since the last).
    /// </summary>
    public long LogRecords
    {
        get
        {
            LogAccessor<long, ImeiRecord> log = _kv.Log;
            return (log.TailAddress - log.BeginAddress) / StoreSizing.RecordBytes;
        }
    }

    private string? CheckpointDirectory => _directory is null ? null : Path.Combine(_directory, "checkpoints");

    private string? ManifestPath => _directory is null ? null : Path.Combine(_directory, ManifestFileName);

    /// <summary>
    /// A new session for one connection or worker. A session is not thread-safe: use it from one thread at a
    /// time and never hold it across an <c>await</c>. Dispose it when the owner ends.
    /// </summary>
    public ImeiStoreSession NewSession()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Interlocked.Increment(ref _sessionsOpened);
        return new ImeiStoreSession(this, NewFasterSession());
    }

    internal ClientSession<long, ImeiRecord, Empty, ImeiRecord, Empty, StoreFunctions> NewFasterSession() =>
        _kv.For(new StoreFunctions()).NewSession<StoreFunctions>();

    internal void CountDiskRead() => Interlocked.Increment(ref _diskReads);

    /// <summary>Same as <see cref="TryRecover(out string?)"/>; the reason is in <see cref="RecoveryFailure"/>.</summary>
    public bool TryRecover() => TryRecover(out _);

    /// <summary>
    /// Loads the latest complete checkpoint in <see cref="StoreOptions.Directory"/>. Call it once, before the first
    /// <see cref="NewSession"/>. Returns false with <paramref name="failure"/> null when there is simply no
    /// checkpoint (a fresh store, or no directory), and false with the reason when a checkpoint exists but is
    /// damaged or incomplete; the store is then empty and usable. Never throws for a bad checkpoint.
    /// </summary>
    public bool TryRecover(out string? failure)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Volatile.Read(ref _sessionsOpened) > 0)
            throw new InvalidOperationException("TryRecover must be called before the first session is opened.");

        failure = Recover();
        RecoveryFailure = failure;
        return failure is null && CheckpointToken is not null;
    }

    private string? Recover()
    {
        CheckpointToken = null;
        if (_directory is null || !File.Exists(ManifestPath))
        {
            if (_directory is not null && HasCheckpointFiles())
                return $"{CheckpointDirectory} holds checkpoint files but there is no {ManifestFileName}: the last checkpoint did not complete";
            return null;
        }

        if (!CheckpointManifest.TryRead(ManifestPath!, out CheckpointManifest? manifest, out string? failure))
            return failure;
        if (!manifest!.TryVerify(CheckpointDirectory!, out failure))
            return failure;

        try
        {
            _kv.Recover(manifest.Token);
        }
        catch (Exception e)
        {
            // A half-recovered FasterKV is not safe to use: start again from an empty one.
            Reopen();
            return $"FASTER could not recover checkpoint {manifest.Token}: {e.GetType().Name}: {e.Message}";
        }
        CheckpointToken = manifest.Token;
        RecoveredSequence = manifest.AppliedSequence;
        RecoveredCheckpointTime = new DateTimeOffset(File.GetLastWriteTimeUtc(ManifestPath!), TimeSpan.Zero);
        _complete = manifest.Complete ?? manifest.AppliedSequence > 0;
        return null;
    }

    private bool HasCheckpointFiles() =>
        System.IO.Directory.Exists(CheckpointDirectory)
        && System.IO.Directory.EnumerateFiles(CheckpointDirectory, "*", SearchOption.AllDirectories).Any();

    /// <summary>
    /// Takes a snapshot checkpoint of every record (hash index + log) into <see cref="StoreOptions.Directory"/>,
    /// writes its manifest and removes older checkpoints. The checkpoint is complete and on disk when the task
    /// completes. Sessions keep working meanwhile. Calls are serialised.
    /// </summary>
    /// <returns>The checkpoint's token.</returns>
    /// <exception cref="InvalidOperationException">The store has no directory.</exception>
    public ValueTask<Guid> CheckpointAsync(CancellationToken ct = default) => CheckpointAsync(0, ct);

    /// <summary>
    /// As <see cref="CheckpointAsync(CancellationToken)"/>, recording <paramref name="appliedSequence"/>: the last
    /// change the owner had applied before calling. Updates made during the checkpoint may or may not be in it, so
    /// the owner resumes from this number after recovery and relies on idempotent, sequence-guarded applying.
    /// </summary>
    public ValueTask<Guid> CheckpointAsync(ulong appliedSequence, CancellationToken ct = default) => CheckpointAsync(() => appliedSequence, ct);

    /// <summary>
    /// As <see cref="CheckpointAsync(ulong, CancellationToken)"/>, asking <paramref name="appliedSequence"/> once this
    /// checkpoint holds the gate, beside the completeness flag: a caller that waited behind another checkpoint or a
    /// rebuild (<see cref="MarkIncompleteAsync"/>) labels the checkpoint with the sequence of the state it copies, not
    /// with one read before the store was cleared and refilled from another history.
    /// </summary>
    public async ValueTask<Guid> CheckpointAsync(Func<ulong> appliedSequence, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_directory is null)
            throw new InvalidOperationException("A store without Store:Directory cannot take checkpoints.");

        await _checkpointGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            // Read before the checkpoint begins, under the gate MarkIncompleteAsync takes: true means the whole state
            // was in the store before any record this checkpoint copies.
            bool complete = _complete;
            ulong sequence = appliedSequence();
            HashSet<string> before = CheckpointDirectories();
            try
            {
                (bool success, Guid token) = await _kv.TakeFullCheckpointAsync(CheckpointType.Snapshot, ct).ConfigureAwait(false);
                if (!success)
                    throw new InvalidOperationException("FASTER did not take the checkpoint (another checkpoint was in progress).");

                CheckpointManifest.Describe(CheckpointDirectory!, token, sequence, complete).Write(ManifestPath!);
                CheckpointToken = token;
                RemoveCheckpointsOtherThan(token);
                return token;
            }
            catch (IOException)
            {
                // Cut short (a full disk): remove what this checkpoint wrote, so the manifest's previous checkpoint
                // stays the only one and nothing partial is left for a later start to trip on or to fill the disk.
                RemovePartialCheckpoint(before);
                throw;
            }
        }
        finally
        {
            _checkpointGate.Release();
        }
    }

    private HashSet<string> CheckpointDirectories() =>
        System.IO.Directory.Exists(CheckpointDirectory)
            ? [.. System.IO.Directory.EnumerateDirectories(CheckpointDirectory!).SelectMany(System.IO.Directory.EnumerateDirectories)]
            : [];

    private void RemovePartialCheckpoint(HashSet<string> before)
    {
        try
        {
            foreach (string checkpoint in CheckpointDirectories())
            {
                if (!before.Contains(checkpoint)) System.IO.Directory.Delete(checkpoint, recursive: true);
            }
            File.Delete(ManifestPath! + ".tmp");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: the manifest still names the previous checkpoint, which recovery uses.
        }
    }

    /// <summary>FASTER's layout is checkpoints/{index-checkpoints,cpr-checkpoints}/TOKEN; keep only the newest.</summary>
    private void RemoveCheckpointsOtherThan(Guid token)
    {
        foreach (string kind in System.IO.Directory.EnumerateDirectories(CheckpointDirectory!))
        {
            foreach (string checkpoint in System.IO.Directory.EnumerateDirectories(kind))
            {
                if (Guid.TryParse(Path.GetFileName(checkpoint), out Guid other) && other != token)
                {
                    try { System.IO.Directory.Delete(checkpoint, recursive: true); }
                    catch (IOException) { } // best effort: a leftover is removed after the next checkpoint
                }
            }
        }
    }

    /// <summary>Counts live records by scanning the log. Not for the hot path.</summary>
    public long CountRecords()
    {
        long count = 0;
        foreach (var _ in Scan()) count++;
        return count;
    }

    /// <summary>
    /// Every live record, once each, in log order (not key order), for digests and exports. Not for the hot
    /// path; it uses a session of its own for as long as the enumeration runs. It sees the log as it is when
    /// the enumeration starts; a record changed while it runs may be reported with either value, or (when
    /// FASTER moves it to the tail) not at all, so take exports from a quiet store.
    /// </summary>
    /// <remarks>The pair table's entries (<see cref="PairTable"/>) are not records: see <see cref="ScanPairs"/>.</remarks>
    public IEnumerable<(Imei Imei, ImeiRecord Record)> Scan()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        foreach ((long key, ImeiRecord record) in ScanIterator(pairs: false)) yield return (Imei.FromKey((ulong)key), record);
    }

    /// <summary>
    /// Every live pair-table entry (an IMEI, its slot, the IMSI), as <see cref="Scan"/> sees records; for clearing a
    /// store. A paired record's IMSIs are read with <see cref="ImeiStoreSession.GetPairs"/>.
    /// </summary>
    public IEnumerable<(Imei Imei, int Slot, PackedImsi Imsi)> ScanPairs()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        foreach ((long key, ImeiRecord entry) in ScanIterator(pairs: true))
            yield return (PairTable.ImeiOf(key), PairTable.SlotOf(key), PairTable.Decode(entry));
    }

    /// <remarks>
    /// FASTER's own <c>session.Iterate()</c> builds a temporary FasterKV (an index as large as ours, 32 MiB log
    /// pages) holding every record that is not first in its hash chain, nearly a copy of the store. Instead:
    /// scan the log and keep a record only if a lookup of its key lands on that very address; superseded
    /// versions and tombstones fail the test.
    /// </remarks>
    private IEnumerable<(long Key, ImeiRecord Record)> ScanIterator(bool pairs)
    {
        // A session that does not copy spilled records to the tail: the scan would then miss them at their new address.
        using var session = _kv.For(new StoreFunctions()).NewSession<StoreFunctions>(readCopyOptions: ReadCopyOptions.None);
        var context = session.UnsafeContext;
        using IFasterScanIterator<long, ImeiRecord> iterator = _kv.Log.Scan(_kv.Log.BeginAddress, _kv.Log.TailAddress);
        var scanned = new (long Key, long Address, ImeiRecord Value)[ScanChunk];
        var live = new (long Key, ImeiRecord Record)[ScanChunk];
        bool more = true;
        while (more)
        {
            int count = 0;
            while (count < scanned.Length && (more = iterator.GetNext(out RecordInfo info)))
            {
                if (!info.Tombstone && PairTable.IsPairKey(iterator.GetKey()) == pairs)
                    scanned[count++] = (iterator.GetKey(), iterator.CurrentAddress, iterator.GetValue());
            }
            // The chunk's liveness lookups share one epoch entry (a lookup otherwise enters and leaves it itself, ~40 %
            // of its cost); the iterator manages its own, so it stays outside, and the epoch is left before the chunk
            // is handed out, since the consumer may await.
            // Each lookup's bucket is prefetched PrefetchDistance lookups ahead, so their cache misses overlap.
            int alive = 0;
            const int Ahead = ImeiStoreSession.PrefetchDistance;
            for (int i = 0; i < Math.Min(Ahead, count); i++) _index.Prefetch(scanned[i].Key);
            context.BeginUnsafe();
            try
            {
                for (int i = 0; i < count; i++)
                {
                    if (i + Ahead < count) _index.Prefetch(scanned[i + Ahead].Key);
                    if (TryReadAt(context, scanned[i].Key, scanned[i].Address, scanned[i].Value, out ImeiRecord record))
                        live[alive++] = (scanned[i].Key, record);
                }
            }
            finally
            {
                context.EndUnsafe();
            }
            for (int i = 0; i < alive; i++) yield return live[i];
        }
    }

    /// <summary>Reads <paramref name="key"/>; true when its current record is the one at <paramref name="address"/>.</summary>
    /// <remarks>
    /// A lookup that FASTER completes in memory reports the address it found, and that decides. One completed from
    /// disk does not reliably report the address where it found the key after following a hash chain through
    /// other keys' records on disk (a view spilled to disk lost about 0.1 % of its records to that), so there the
    /// current record's value decides: it is the scanned one when they are equal, sequence number included. Every
    /// registry version of a key carries its own sequence number, and this store never copies reads to the tail,
    /// so two equal versions of a key cannot both be on disk.
    /// </remarks>
    private bool TryReadAt(UnsafeContext<long, ImeiRecord, Empty, ImeiRecord, Empty, StoreFunctions> session, long key, long address, in ImeiRecord scanned, out ImeiRecord record)
    {
        Empty input = default;
        ReadOptions options = default;
        record = default;
        Status status = session.Read(ref key, ref input, ref record, ref options, out RecordMetadata metadata);
        if (status.IsPending)
        {
            CountDiskRead();
            session.CompletePendingWithOutputs(out CompletedOutputIterator<long, ImeiRecord, Empty, ImeiRecord, Empty> outputs, wait: true);
            using (outputs)
            {
                while (outputs.Next())
                {
                    status = outputs.Current.Status;
                    record = outputs.Current.Output;
                }
            }
            return status.Found && record == scanned;
        }
        return status.Found && metadata.Address == address;
    }

    private (IDevice Device, FasterKV<long, ImeiRecord> Kv) Open()
    {
        int pageSizeBits = StoreSizing.PageSizeBits(_memorySizeBits);
        IDevice device = Devices.CreateLogDevice(_logPath, preallocateFile: false, deleteOnClose: _directory is null);
        var logSettings = new LogSettings
        {
            LogDevice = device,
            MemorySizeBits = _memorySizeBits,
            PageSizeBits = pageSizeBits,
            SegmentSizeBits = Math.Max(30, pageSizeBits),
            // No copy of records read from disk back to the tail: stores are sized to stay in memory, and without
            // copies every version of a key on disk is distinct, which Scan's liveness test relies on.
            ReadCopyOptions = ReadCopyOptions.None,
        };
        CheckpointSettings? checkpointSettings = _directory is null
            ? null
            : new CheckpointSettings { CheckpointDir = CheckpointDirectory, RemoveOutdated = false };
        // ConcurrencyControlMode.LockTable (the default) latches the hash bucket around each operation, so a
        // reader never sees a 16-byte record half-written by an in-place update on another thread.
        var kv = new FasterKV<long, ImeiRecord>(_indexBuckets, logSettings, checkpointSettings);
        // Before anything is written or recovered into the table: the advice drops its (zero) pages.
        _index = HashIndexView.Of(kv);
        HugePageIndexBytes = _hugePageIndex ? _index.AdviseHugePagesWhileEmpty() : 0;
        return (device, kv);
    }

    private void Reopen()
    {
        _kv.Dispose();
        _device.Dispose();
        (_device, _kv) = Open();
    }

    /// <summary>Closes the log and device. Sessions must be disposed first. Does not checkpoint.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _kv.Dispose();
        _device.Dispose();
        _checkpointGate.Dispose();
        if (_temporaryDirectory is not null)
        {
            try { System.IO.Directory.Delete(_temporaryDirectory, recursive: true); }
            catch (IOException) { }
        }
    }
}
