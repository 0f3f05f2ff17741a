using System.Buffers.Binary;
using ImeiEir.Core;
using ImeiEir.Notify.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ImeiEir.Notify.Pairs;

/// <summary>
/// Who has been seen with which grey device: the (IMEI, IMSI) pairs the daily reminder and the blacklisted notice go
/// to, each with the moment it was first seen. Durable (its own CRC-framed journal, <see cref="JournalFileName"/>,
/// fsynced before a call returns) and in memory for the rounds. A device leaves when its grey period ends
/// (verified, removed, blacklisted), so the set holds the grey devices in use, not history.
/// <code>
///   add     ┌────┬──────────────┬──────────────┬────────────┬───────────────────┐
///           │ 1  │ IMEI key u64 │ IMSI u64     │ digits u8  │ first seen i64 s  │   all little-endian
///           └────┴──────────────┴──────────────┴────────────┴───────────────────┘
///   forget  ┌────┬──────────────┐
///           │ 2  │ IMEI key u64 │   every pair of the device
///           └────┴──────────────┘
/// </code>
/// Thread-safe; not on the answer path (the registry calls it after a batch of sightings is durable).
/// </summary>
public sealed class SightingPairs : IDisposable
{
    public const string JournalFileName = "pairs.journal";

    private const byte AddOp = 1, ForgetOp = 2;
    private const int AddSize = 26, ForgetSize = 9;
    private static readonly byte[] s_magic = "IEIRPRS1"u8.ToArray();

    private readonly object _gate = new();
    private readonly Dictionary<ulong, List<SeenPair>> _devices = [];
    private readonly JournalFile _journal;
    private int _pairs;
    private bool _disposed;

    private SightingPairs(JournalFile journal, Dictionary<ulong, List<SeenPair>> devices, int pairs)
    {
        _journal = journal;
        _devices = devices;
        _pairs = pairs;
    }

    /// <summary>Pairs held.</summary>
    public int Count { get { lock (_gate) return _pairs; } }

    /// <summary>Devices with at least one pair.</summary>
    public int Devices { get { lock (_gate) return _devices.Count; } }

    /// <summary>Opens or creates the journal in <paramref name="directory"/>, compacting it when most of it is forgotten pairs.</summary>
    public static SightingPairs Open(string directory, TimeProvider time, ILogger? logger = null) => Open(directory, time, logger, compactionSlack: 4096);

    internal static SightingPairs Open(string directory, TimeProvider time, ILogger? logger, int compactionSlack)
    {
        logger ??= NullLogger.Instance;
        Directory.CreateDirectory(directory);
        var devices = new Dictionary<ulong, List<SeenPair>>();
        int pairs = 0;
        JournalFile journal = JournalFile.Open(Path.Combine(directory, JournalFileName), s_magic, payload =>
        {
            if (payload.Length == AddSize && payload[0] == AddOp)
            {
                SeenPair pair = Decode(payload);
                if (AddTo(devices, pair)) pairs++;
            }
            else if (payload.Length == ForgetSize && payload[0] == ForgetOp)
            {
                if (devices.Remove(BinaryPrimitives.ReadUInt64LittleEndian(payload[1..]), out List<SeenPair>? gone)) pairs -= gone.Count;
            }
            else
            {
                throw new InvalidDataException($"{Path.Combine(directory, JournalFileName)}: a record of {payload.Length} bytes starting {payload[0]} is neither an add nor a forget");
            }
        }, out long discarded, time.GetUtcNow().ToUnixTimeMilliseconds());
        if (discarded > 0) PairsLog.PairsTornTail(logger, discarded);

        long records = journal.RecordCount;
        if (records > 2L * pairs + compactionSlack)
        {
            journal.Rewrite(devices.Values.SelectMany(list => list).Select(Encode).ToList());
            PairsLog.PairsCompacted(logger, records, journal.RecordCount);
        }
        PairsLog.PairsOpened(logger, pairs, devices.Count);
        return new SightingPairs(journal, devices, pairs);
    }

    /// <summary>Adds the pairs not yet held, durably before returning (one fsync); returns how many were new.</summary>
    public int Record(IEnumerable<SeenPair> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var added = new List<SeenPair>();
            var batch = new HashSet<(ulong, PackedImsi)>();
            foreach (SeenPair pair in pairs)
            {
                if (pair.Imsi.IsNone || Holds(pair.Imei.Key, pair.Imsi) || !batch.Add((pair.Imei.Key, pair.Imsi))) continue;
                added.Add(pair);
            }
            if (added.Count == 0) return 0;
            foreach (SeenPair pair in added) _journal.Append(Encode(pair));
            _journal.Flush(); // throws before the memory changes: a pair is held only once it is on disk
            foreach (SeenPair pair in added) AddTo(_devices, pair);
            _pairs += added.Count;
            return added.Count;
        }
    }

    /// <summary>The journal as of now (a backup: it opens to the same pairs).</summary>
    internal byte[] CopyJournal()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _journal.CopyDurable();
        }
    }

    /// <summary>The pairs of one device (empty when none).</summary>
    public IReadOnlyList<SeenPair> Of(Imei imei)
    {
        lock (_gate) return _devices.TryGetValue(imei.Key, out List<SeenPair>? list) ? [.. list] : [];
    }

    /// <summary>Every pair, copied: what a reminder round walks while sightings keep arriving.</summary>
    public IReadOnlyList<SeenPair> All()
    {
        lock (_gate) return [.. _devices.Values.SelectMany(list => list)];
    }

    /// <summary>Drops every pair of these devices, durably; returns how many devices were held.</summary>
    public int Forget(IEnumerable<Imei> devices)
    {
        ArgumentNullException.ThrowIfNull(devices);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var held = devices.Select(d => d.Key).Where(_devices.ContainsKey).Distinct().ToList();
            if (held.Count == 0) return 0;
            byte[] record = new byte[ForgetSize];
            record[0] = ForgetOp;
            foreach (ulong key in held)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(record.AsSpan(1), key);
                _journal.Append(record);
            }
            _journal.Flush();
            foreach (ulong key in held)
            {
                _devices.Remove(key, out List<SeenPair>? gone);
                _pairs -= gone!.Count;
            }
            return held.Count;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _journal.Dispose();
        }
    }

    private bool Holds(ulong imeiKey, PackedImsi imsi) =>
        _devices.TryGetValue(imeiKey, out List<SeenPair>? list) && list.Exists(p => p.Imsi == imsi);

    private static bool AddTo(Dictionary<ulong, List<SeenPair>> devices, SeenPair pair)
    {
        if (!devices.TryGetValue(pair.Imei.Key, out List<SeenPair>? list))
        {
            devices[pair.Imei.Key] = [pair];
            return true;
        }
        if (list.Exists(p => p.Imsi == pair.Imsi)) return false; // the journal may hold a pair twice after a failed fsync was retried
        list.Add(pair);
        return true;
    }

    private static byte[] Encode(SeenPair pair)
    {
        byte[] record = new byte[AddSize];
        record[0] = AddOp;
        BinaryPrimitives.WriteUInt64LittleEndian(record.AsSpan(1), pair.Imei.Key);
        BinaryPrimitives.WriteUInt64LittleEndian(record.AsSpan(9), pair.Imsi.Value);
        record[17] = pair.Imsi.Digits;
        BinaryPrimitives.WriteInt64LittleEndian(record.AsSpan(18), pair.FirstSeenUnixSeconds);
        return record;
    }

    private static SeenPair Decode(ReadOnlySpan<byte> record) => new(
        Imei.FromKey(BinaryPrimitives.ReadUInt64LittleEndian(record[1..])),
        new PackedImsi(BinaryPrimitives.ReadUInt64LittleEndian(record[9..]), record[17]),
        BinaryPrimitives.ReadInt64LittleEndian(record[18..]));
}
