using ImeiEir.Core;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Registry;

/// <summary>
/// Which IMEIs are in use with several SIMs at once (issue «один и тот же IMEI-код используется сразу на нескольких
/// устройствах»): nodes report every home subscriber's (IMEI, IMSI) pair at most once a day, and an IMEI seen with at
/// least <see cref="CloneOptions.Threshold"/> distinct IMSIs last seen within <see cref="CloneOptions.Window"/> is a
/// suspected clone. The pairs live in a <see cref="ObservedPairTable"/> (24-byte slots, no object per IMEI or report) and
/// on disk in <see cref="PairFiles"/>; the suspected IMEIs in a sorted set, for paging and the gauge. A batch is
/// durable before <see cref="Record"/> returns. Thread-safe (one lock: this is the registry's intake, never the
/// answer path).
/// </summary>
public sealed class CloneWatch : IDisposable
{
    /// <summary>A last seen that moved less than this is kept in memory only: a crash costs at most that much of it.</summary>
    private const uint JournalGranularitySeconds = 3600;

    private readonly object _gate = new();
    private readonly CloneOptions _options;
    private readonly PairFiles _files;
    private readonly ILogger _logger;
    private readonly SortedSet<ulong> _suspected = [];
    private readonly uint _window;
    private readonly TimeProvider _time;
    private ObservedPairTable _table;
    private long _refused;
    private bool _disposed;

    private CloneWatch(CloneOptions options, PairFiles files, ObservedPairTable table, TimeProvider time, ILogger logger)
    {
        _time = time;
        _options = options;
        _files = files;
        _table = table;
        _logger = logger;
        _window = (uint)Math.Min(uint.MaxValue, (long)options.Window.TotalSeconds);
    }

    /// <summary>The options in force.</summary>
    public CloneOptions Options => _options;

    /// <summary>
    /// Opens the watch stored in <paramref name="directory"/> (or a new one), as of <paramref name="time"/>'s now:
    /// pairs older than the window are dropped and the journal compacted into the table. <paramref name="time"/> is
    /// also the clock of <see cref="List(Imei?, int)"/> and of the sweeps.
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    /// <exception cref="InvalidDataException">The table file is damaged.</exception>
    public static CloneWatch Open(string directory, CloneOptions options, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        if (options.Validate().FirstOrDefault() is string problem) throw new ArgumentException(problem, nameof(options));
        var table = new ObservedPairTable();
        PairFiles files = PairFiles.Open(directory, entry =>
            table.Observe(entry.ImeiKey, entry.PackedImsi, entry.FirstSeen, entry.LastSeen, options.MaxImsisPerImei, out _), out long discarded);
        if (discarded > 0) ClonesLog.TornTail(logger, discarded);
        var watch = new CloneWatch(options, files, table, time, logger);
        watch.Sweep(time.GetUtcNow().ToUnixTimeSeconds());
        ClonesLog.Opened(logger, watch.Pairs, watch.Suspected);
        return watch;
    }

    /// <summary>Pairs held.</summary>
    public int Pairs { get { lock (_gate) return _table.Count; } }

    /// <summary>Bytes of the pair table in memory.</summary>
    public long TableBytes { get { lock (_gate) return _table.Bytes; } }

    /// <summary>IMEIs flagged as suspected clones (as of the last report or sweep).</summary>
    public int Suspected { get { lock (_gate) return _suspected.Count; } }

    /// <summary>Pairs not kept (an IMEI at its most IMSIs, all seen more recently; or the table full), since start.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>
    /// Takes the pairs of a batch of sightings (those with an IMSI; times ahead of <paramref name="nowUnixSeconds"/>
    /// count as now, those older than the window are ignored), durably before returning; returns the IMEIs that
    /// became suspected clones with it.
    /// </summary>
    /// <exception cref="IOException">The journal could not be written; the batch may be sent again.</exception>
    public int Record(IReadOnlyList<Sighting> sightings, long nowUnixSeconds)
    {
        ArgumentNullException.ThrowIfNull(sightings);
        uint now = ToUnix(nowUnixSeconds);
        uint since = now > _window ? now - _window : 0;
        int flagged = 0;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            bool appended = false;
            foreach (Sighting sighting in sightings)
            {
                if (sighting.Imsi.IsNone || !sighting.Imsi.IsWellFormed) continue;
                uint seen = Math.Min(sighting.SeenUnixSeconds, now);
                if (seen < since || seen == 0) continue;
                PairUpdate update = _table.Observe(sighting.ImeiKey, sighting.Imsi, seen, seen, _options.MaxImsisPerImei, out uint lastBefore);
                if (update == PairUpdate.Refused)
                {
                    Interlocked.Increment(ref _refused);
                    continue;
                }
                if (update == PairUpdate.Added || (update == PairUpdate.Extended && (seen < lastBefore || seen - lastBefore >= JournalGranularitySeconds)))
                {
                    _files.Append(new PairEntry { ImeiPlusOne = sighting.ImeiKey + 1, Imsi = PairEntry.Pack(sighting.Imsi), FirstSeen = seen, LastSeen = seen });
                    appended = true;
                }
                // Extended too: an IMSI that had slid out of the window may come back into it and make the count.
                if (update != PairUpdate.Unchanged && !_suspected.Contains(sighting.ImeiKey)
                    && _table.CountSince(sighting.ImeiKey, since) >= _options.Threshold)
                {
                    _suspected.Add(sighting.ImeiKey);
                    flagged++;
                }
            }
            if (appended) _files.Flush();
        }
        return flagged;
    }

    /// <summary>The suspected clones now (see <see cref="List(Imei?, int, long)"/>).</summary>
    public IReadOnlyList<SuspectedClone> List(Imei? after, int limit) => List(after, limit, _time.GetUtcNow().ToUnixTimeSeconds());

    /// <summary>
    /// The suspected clones as of <paramref name="nowUnixSeconds"/>, by IMEI, after <paramref name="after"/> (paging),
    /// at most <paramref name="limit"/>.
    /// </summary>
    public IReadOnlyList<SuspectedClone> List(Imei? after, int limit, long nowUnixSeconds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        uint now = ToUnix(nowUnixSeconds);
        uint since = now > _window ? now - _window : 0;
        var result = new List<SuspectedClone>();
        var pairs = new List<PairEntry>();
        lock (_gate)
        {
            IEnumerable<ulong> keys = after is Imei from
                ? (from.Key + 1 < Imei.KeyLimit ? _suspected.GetViewBetween(from.Key + 1, Imei.KeyLimit - 1) : [])
                : _suspected;
            foreach (ulong key in keys)
            {
                pairs.Clear();
                _table.CopyPairs(key, since, pairs);
                // Pairs age out between sweeps: the list says what holds now.
                if (pairs.Count < _options.Threshold) continue;
                result.Add(new SuspectedClone(Imei.FromKey(key),
                    [.. pairs.OrderBy(p => p.FirstSeen).ThenBy(p => p.Imsi).Select(p => new ClonePair(p.PackedImsi, p.FirstSeen, p.LastSeen))]));
                if (result.Count == limit) break;
            }
        }
        return result;
    }

    /// <summary>
    /// Drops the pairs last seen before the window, recounts the suspected clones, and compacts the journal into the
    /// table when it has grown past it. Returns the pairs dropped.
    /// </summary>
    /// <exception cref="IOException">The table could not be written; the pairs stay as they were on disk.</exception>
    public int Sweep(long nowUnixSeconds)
    {
        uint now = ToUnix(nowUnixSeconds);
        uint since = now > _window ? now - _window : 0;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            int before = _table.Count;
            ObservedPairTable table = _table.Without(since);
            int dropped = before - table.Count;
            _table = table;
            _suspected.Clear();
            foreach (PairEntry entry in table.Entries())
            {
                // An IMEI's pairs lie in one short run of slots, so recounting from each of them costs little and no
                // per-IMEI map is built.
                if (!_suspected.Contains(entry.ImeiKey) && table.CountSince(entry.ImeiKey, since) >= _options.Threshold)
                    _suspected.Add(entry.ImeiKey);
            }
            if (dropped > 0 || _files.JournalRecords >= Math.Max(table.Count, 4096))
                _files.Compact(table.Entries());
            ClonesLog.Swept(_logger, dropped, table.Count, _suspected.Count);
            return dropped;
        }
    }

    /// <summary>Runs <see cref="Sweep"/> every <see cref="CloneOptions.SweepInterval"/> until <paramref name="ct"/> ends.</summary>
    public async Task RunSweepsAsync(CancellationToken ct)
    {
        TimeProvider time = _time;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.SweepInterval, time, ct).ConfigureAwait(false);
                Sweep(time.GetUtcNow().ToUnixTimeSeconds());
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (IOException e)
            {
                ClonesLog.SweepFailed(_logger, e);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _files.Dispose();
        }
    }

    private static uint ToUnix(long seconds) => (uint)Math.Clamp(seconds, 0, uint.MaxValue);
}
