using FASTER.core;
using ImeiEir.Core;

namespace ImeiEir.Registry;

/// <summary>
/// The registry's durable change log, the source of truth: a FASTER <see cref="FasterLog"/> of fixed-size
/// <see cref="LogEntry"/> entries, one per change, in sequence order, plus the <see cref="SequenceIndex"/> that
/// finds any change's address.
/// <code>
/// directory/changes.log.N        log segments (1 GiB each)
/// directory/log-commits/         FasterLog commit records: the committed tail; recovery stops there
/// </code>
/// Appends go to memory (<see cref="Append"/>); <see cref="CommitAsync"/> makes everything appended so far durable
/// at once (the device writes with FileOptions.WriteThrough). After a crash, FasterLog recovers to the last commit:
/// entries appended after it, even if some of their pages reached the disk, are not part of the log and are
/// overwritten by the next appends. So a batch appended and then committed once is wholly there or wholly absent.
/// </summary>
internal sealed class ChangeLog : IDisposable
{
    private const int PageSizeBits = 20;    // 1 MiB pages: a feed read from disk loads one page at a time
    private const int MemorySizeBits = 25;  // 32 MiB in memory: the recent tail, where followers read
    private const int SegmentSizeBits = 30;

    private readonly string _directory;
    private readonly IDevice _device;
    private readonly FasterLog _log;
    private SequenceIndex _index = new();
    private readonly Dictionary<ulong, FasterLogScanIterator> _parked = [];
    private bool _disposed;

    private ChangeLog(string directory, IDevice device, FasterLog log)
    {
        _directory = directory;
        _device = device;
        _log = log;
    }

    /// <summary>Highest sequence in the index: committed, or appended and about to be committed.</summary>
    public ulong LastAppended => _index.Count;

    /// <summary>Bytes of log from its beginning to its tail.</summary>
    public long Bytes => _log.TailAddress - _log.BeginAddress;

    /// <summary>Memory held by the sequence index.</summary>
    public long IndexBytes => _index.Bytes;

    /// <summary>
    /// Opens (or creates) the log in <paramref name="directory"/> and recovers it to its last commit. Does not scan
    /// it: call <see cref="Scan"/> next, which also builds the sequence index.
    /// </summary>
    /// <exception cref="InvalidDataException">Commit records exist but none could be recovered.</exception>
    public static ChangeLog Open(string directory)
    {
        directory = Path.GetFullPath(directory);
        Directory.CreateDirectory(directory);
        IDevice device = Devices.CreateLogDevice(Path.Combine(directory, "changes.log"), preallocateFile: false);
        FasterLog? log = null;
        try
        {
            var settings = new FasterLogSettings
            {
                LogDevice = device,
                LogCommitDir = directory,
                PageSizeBits = PageSizeBits,
                MemorySizeBits = MemorySizeBits,
                SegmentSizeBits = SegmentSizeBits,
                // A checksum per entry: a torn or damaged page is detected by the scan instead of read as changes.
                LogChecksum = LogChecksumType.PerEntry,
                // Recover explicitly below: the constructor's own attempt swallows every exception.
                TryRecoverLatest = false,
            };
            log = new FasterLog(settings);
            log.Recover();

            string commits = Path.Combine(directory, "log-commits");
            bool hasCommits = Directory.Exists(commits) && Directory.EnumerateFiles(commits, "*", SearchOption.AllDirectories).Any();
            if (hasCommits && log.CommittedUntilAddress <= log.BeginAddress)
                throw new InvalidDataException($"the change log in {directory} has commit records but none could be recovered; refusing to start a new log over it");
            return new ChangeLog(directory, device, log);
        }
        catch
        {
            log?.Dispose();
            device.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads the committed log once, in order, from where the persisted <see cref="SequenceIndexFile"/> leaves off
    /// (or from the log's beginning when there is none, or it is unusable): checks that sequences run on by one,
    /// completes the sequence index and hands each change after <paramref name="applyAfter"/> to
    /// <paramref name="onChange"/>. A start thus reads the changes after the last checkpoint, not every change ever
    /// made. Returns the last sequence (0 for an empty log), how many entries were read, and why the persisted index
    /// was not used (null when it was, or when there was none).
    /// </summary>
    /// <exception cref="InvalidDataException">An entry is damaged or out of sequence.</exception>
    public LogScan Scan(ulong applyAfter, Action<Change, ulong> onChange)
    {
        if (_index.Count != 0) throw new InvalidOperationException("The log has already been scanned.");
        string? failure = null;
        if (SequenceIndexFile.TryRead(_directory, _index, out failure))
        {
            failure = ClampToBegin();
            if (failure is null)
            {
                // From the change after the view's checkpoint, or the index's last one (read again: it proves the
                // file and the log agree), whichever is earlier.
                ulong from = Math.Max(_index.First, Math.Min(applyAfter + 1, _index.Count));
                try
                {
                    (ulong last, ulong scanned) = ScanFrom(_index.AddressOf(from), from, applyAfter, onChange);
                    return new LogScan(last, scanned, null);
                }
                catch (IndexMismatchException e)
                {
                    failure = e.Message;
                }
            }
            ResetIndex();
        }
        // No usable persisted index: the whole log, as every start did before it existed. Applying a change twice
        // changes nothing (a record keeps the number that set it), so a fallback after a partial scan is safe.
        (ulong fullLast, ulong fullScanned) = ScanFrom(_log.BeginAddress, 0, applyAfter, onChange);
        return new LogScan(fullLast, fullScanned, failure);
    }

    /// <summary>
    /// Scans from <paramref name="start"/> (the address of change <paramref name="from"/>; 0: whatever change the
    /// log begins with) to the committed tail.
    /// </summary>
    private unsafe (ulong Last, ulong Scanned) ScanFrom(long start, ulong from, ulong applyAfter, Action<Change, ulong> onChange)
    {
        using FasterLogScanIterator iterator = _log.Scan(start, _log.CommittedUntilAddress, name: null, recover: false,
            scanBufferingMode: ScanBufferingMode.DoublePageBuffering, scanUncommitted: false);
        ulong expected = from, scanned = 0;
        ulong indexed = _index.Count;
        while (true)
        {
            Change change;
            ulong previous;
            long address;
            if (!iterator.UnsafeGetNext(out byte* entry, out int length, out address, out _)) break;
            bool read;
            try
            {
                read = LogEntry.TryRead(new ReadOnlySpan<byte>(entry, length), out change, out previous);
            }
            finally
            {
                iterator.UnsafeRelease();
            }
            if (expected == 0 && read) expected = change.Sequence; // a truncated log begins past change 1
            if (expected <= indexed && (!read || change.Sequence != expected || _index.AddressOf(expected) != address))
                throw new IndexMismatchException($"{Path.Combine(_directory, SequenceIndexFile.FileName)} does not match the log at change {expected} (address {address})");
            if (!read)
                throw new InvalidDataException($"the change log in {_directory} holds a damaged entry at address {address} (after change {expected - 1})");
            if (change.Sequence != expected)
                throw new InvalidDataException($"the change log in {_directory} holds change {change.Sequence} where change {expected} should be (address {address})");
            if (change.Sequence > indexed) _index.Add(change.Sequence, address);
            if (change.Sequence > applyAfter) onChange(change, previous);
            scanned++;
            expected++;
        }
        if (indexed > 0 && expected <= indexed)
            throw new IndexMismatchException($"{Path.Combine(_directory, SequenceIndexFile.FileName)} goes to change {indexed} but the log's committed tail ends at change {expected - 1}");
        return (_index.Count, scanned);
    }

    /// <summary>A persisted index written before a truncation was committed: forget what the log no longer holds.</summary>
    private string? ClampToBegin()
    {
        long begin = _log.BeginAddress;
        if (_index.AddressOf(_index.First) >= begin) return null;
        if (_index.AddressOf(_index.Count) < begin) return $"{Path.Combine(_directory, SequenceIndexFile.FileName)} ends before the log's beginning";
        ulong low = _index.First, high = _index.Count; // the first change at or after the log's beginning
        while (low < high)
        {
            ulong middle = low + (high - low) / 2;
            if (_index.AddressOf(middle) < begin) low = middle + 1;
            else high = middle;
        }
        if (_index.AddressOf(low) != begin) return $"{Path.Combine(_directory, SequenceIndexFile.FileName)} has no change at the log's beginning (address {begin})";
        _index.DropBelow(low);
        return null;
    }

    private void ResetIndex() => _index = new SequenceIndex();

    /// <summary>Writes the sequence index up to <paramref name="last"/> (committed, checkpointed) beside the log.</summary>
    public void SaveIndex(ulong last) => SequenceIndexFile.Write(_directory, _index, Math.Min(last, _index.Count));

    /// <summary>The first change the log still holds (1 until it is truncated; the next change's number when empty).</summary>
    public ulong FirstSequence => _index.First == 0 ? _index.Count + 1 : _index.First;

    /// <summary>
    /// Drops every change before <paramref name="first"/> from the log (at most up to the last committed one; false and
    /// nothing done while a backup holds the beginning, <see cref="HoldBeginning"/>): lookups of
    /// them fail at once; the log's new beginning is durable with the next commit (which the caller makes, under the
    /// write gate so no half-appended batch is committed with it), and FasterLog then deletes the whole segments below.
    /// </summary>
    public bool TruncateBefore(ulong first)
    {
        if (first <= FirstSequence || Volatile.Read(ref _holds) > 0) return false;
        long address = _index.AddressOf(first);
        _index.DropBelow(first);
        _log.TruncateUntil(address);
        return true;
    }

    private int _holds;

    /// <summary>
    /// Keeps the log's beginning where it is until disposed (a backup reading from it): <see cref="TruncateBefore"/>
    /// does nothing meanwhile. Take it under the write gate, where truncation runs, so the beginning read then stays.
    /// </summary>
    public IDisposable HoldBeginning()
    {
        Interlocked.Increment(ref _holds);
        return new Hold(this);
    }

    private sealed class Hold(ChangeLog log) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) Interlocked.Decrement(ref log._holds);
        }
    }

    /// <summary>The log's beginning is persisted with this commit (nothing new need be appended).</summary>
    public Task CommitBeginAsync() => _log.CommitAsync().AsTask();

    private sealed class IndexMismatchException(string message) : Exception(message);

    /// <summary>Appends one change to the log in memory (not durable until <see cref="CommitAsync"/>).</summary>
    public void Append(in Change change, ulong previous)
    {
        Span<byte> entry = stackalloc byte[LogEntry.Size];
        LogEntry.Write(change, previous, entry);
        long address = _log.Enqueue(entry);
        _index.Add(change.Sequence, address);
    }

    /// <summary>Makes every appended change durable; completes when the commit record is on disk.</summary>
    public Task CommitAsync() => _log.CommitAsync().AsTask();

    /// <summary>
    /// Copies changes <paramref name="first"/> .. <paramref name="first"/> + destination.Length − 1 (all committed)
    /// into <paramref name="destination"/>, from memory for the recent tail or page by page from disk.
    /// </summary>
    /// <remarks>
    /// A FasterLog iterator costs about 10 ms to set up and tear down, so the iterator that stopped at change N is
    /// parked, keyed by N + 1, and the next read from there (a follower's next call) continues with it. Parked
    /// iterators hold one log page (1 MiB) each; at most <see cref="MaxParked"/> are kept.
    /// </remarks>
    public unsafe void Read(ulong first, Span<Change> destination)
    {
        if (destination.IsEmpty) return;
        FasterLogScanIterator iterator = TakeParked(first)
            // Open-ended: pages below the head are read whole (they are complete on disk); the scan stops at the
            // committed tail by itself, and this loop stops at the count.
            ?? _log.Scan(_index.AddressOf(first), long.MaxValue, name: null, recover: false,
                scanBufferingMode: ScanBufferingMode.SinglePageBuffering, scanUncommitted: false);
        bool reusable = false;
        try
        {
            int count = 0;
            while (count < destination.Length && iterator.UnsafeGetNext(out byte* entry, out int length, out long address, out _))
            {
                bool read;
                Change change;
                try
                {
                    read = LogEntry.TryRead(new ReadOnlySpan<byte>(entry, length), out change, out _);
                }
                finally
                {
                    iterator.UnsafeRelease();
                }
                ulong expected = first + (ulong)count;
                if (!read || change.Sequence != expected)
                    throw new InvalidDataException($"the change log holds {(read ? $"change {change.Sequence}" : "a damaged entry")} at address {address} where change {expected} should be");
                destination[count++] = change;
            }
            if (count != destination.Length)
                throw new InvalidDataException($"the change log ended after change {first + (ulong)count - 1}, before change {first + (ulong)destination.Length - 1}");
            reusable = true;
        }
        finally
        {
            if (reusable) Park(first + (ulong)destination.Length, iterator);
            else iterator.Dispose();
        }
    }

    private const int MaxParked = 32;

    private FasterLogScanIterator? TakeParked(ulong next)
    {
        lock (_parked)
        {
            return _parked.Remove(next, out FasterLogScanIterator? iterator) ? iterator : null;
        }
    }

    private void Park(ulong next, FasterLogScanIterator iterator)
    {
        FasterLogScanIterator? evicted = null;
        lock (_parked)
        {
            if (_disposed || _parked.ContainsKey(next))
            {
                evicted = iterator;
            }
            else
            {
                if (_parked.Count >= MaxParked)
                {
                    ulong oldest = _parked.Keys.Min(); // the follower furthest behind: the least likely to come back soon
                    evicted = _parked[oldest];
                    _parked.Remove(oldest);
                }
                _parked.Add(next, iterator);
            }
        }
        evicted?.Dispose();
    }

    /// <summary>Reads one committed change and its back-link (the IMEI's previous change).</summary>
    public async ValueTask<(Change Change, ulong Previous)> ReadOneAsync(ulong sequence, CancellationToken ct)
    {
        long address = _index.AddressOf(sequence);
        (byte[] entry, int length) = await _log.ReadAsync(address, LogEntry.Size, ct).ConfigureAwait(false);
        if (entry is null || !LogEntry.TryRead(entry.AsSpan(0, length), out Change change, out ulong previous) || change.Sequence != sequence)
            throw new InvalidDataException($"the change log holds a damaged entry at address {address} where change {sequence} should be");
        return (change, previous);
    }

    public void Dispose()
    {
        lock (_parked)
        {
            _disposed = true;
            foreach (FasterLogScanIterator iterator in _parked.Values) iterator.Dispose();
            _parked.Clear();
        }
        _log.Dispose();
        _device.Dispose();
    }
}

/// <summary>What <see cref="ChangeLog.Scan"/> found.</summary>
/// <param name="Last">The log's last committed change; 0 for an empty log.</param>
/// <param name="Scanned">Log entries read (the persisted index spares those before the view's checkpoint).</param>
/// <param name="IndexFailure">Why a persisted index was there but not used; null otherwise.</param>
internal readonly record struct LogScan(ulong Last, ulong Scanned, string? IndexFailure);
