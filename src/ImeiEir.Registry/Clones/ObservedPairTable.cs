using System.Numerics;
using System.Runtime.CompilerServices;
using ImeiEir.Core;

namespace ImeiEir.Registry;

/// <summary>
/// The clone watch's pairs in one flat array of 24-byte <see cref="PairEntry"/> slots, open addressing with linear
/// probing, every pair's probe starting at its IMEI's home slot: all the IMSIs of one IMEI lie in the run of occupied
/// slots from that home, so "which IMSIs has this IMEI?" is one short scan and no per-IMEI object exists. Entries are
/// never deleted in place (which would break the runs): old pairs are dropped by rebuilding (<see cref="Without"/>),
/// as is growth. Load stays at most 3/4, so a pair costs 24 to 64 bytes (about 43 on average). Not thread-safe: its
/// owner, <see cref="CloneWatch"/>, locks.
/// </summary>
internal sealed class ObservedPairTable
{
    /// <summary>Most slots (2^28 × 24 bytes = 6 GiB): past it, new pairs are refused and counted.</summary>
    public const int MaxCapacity = 1 << 28;

    private const int MinCapacity = 1024;

    private PairEntry[] _slots;
    private int _mask;
    private int _count;

    public ObservedPairTable(int capacity = MinCapacity)
    {
        int size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(capacity, MinCapacity, MaxCapacity));
        _slots = new PairEntry[size];
        _mask = size - 1;
    }

    /// <summary>Pairs held.</summary>
    public int Count => _count;

    /// <summary>Slots allocated.</summary>
    public int Capacity => _slots.Length;

    /// <summary>Bytes of the slot array.</summary>
    public long Bytes => (long)_slots.Length * Unsafe.SizeOf<PairEntry>();

    /// <summary>
    /// Adds the pair or widens its first and last seen; <paramref name="lastBefore"/> is its last seen before (0 when
    /// new). When the IMEI already has <paramref name="maxPerImei"/> IMSIs, the least recently seen one gives way if
    /// it was seen before <paramref name="lastSeen"/>.
    /// </summary>
    public PairUpdate Observe(ulong imeiKey, PackedImsi imsi, uint firstSeen, uint lastSeen, int maxPerImei, out uint lastBefore)
    {
        lastBefore = 0;
        if ((long)(_count + 1) * 4 > (long)_slots.Length * 3 && _slots.Length < MaxCapacity) Resize(_slots.Length * 2);
        ulong packed = PairEntry.Pack(imsi);
        int i = Home(imeiKey);
        int mine = 0, oldest = -1;
        while (true)
        {
            ref PairEntry entry = ref _slots[i];
            if (entry.IsEmpty) break;
            if (entry.ImeiPlusOne == imeiKey + 1)
            {
                if (entry.Imsi == packed)
                {
                    lastBefore = entry.LastSeen;
                    if (firstSeen >= entry.FirstSeen && lastSeen <= entry.LastSeen) return PairUpdate.Unchanged;
                    entry.FirstSeen = Math.Min(entry.FirstSeen, firstSeen);
                    entry.LastSeen = Math.Max(entry.LastSeen, lastSeen);
                    return PairUpdate.Extended;
                }
                mine++;
                if (oldest < 0 || entry.LastSeen < _slots[oldest].LastSeen) oldest = i;
            }
            i = (i + 1) & _mask;
        }
        if (mine >= maxPerImei)
        {
            if (_slots[oldest].LastSeen >= lastSeen) return PairUpdate.Refused;
            _slots[oldest] = new PairEntry { ImeiPlusOne = imeiKey + 1, Imsi = packed, FirstSeen = firstSeen, LastSeen = lastSeen };
            return PairUpdate.Added;
        }
        // At the limit the table may fill beyond 3/4; one free slot is always kept so every scan ends.
        if (_count >= _slots.Length - 1) return PairUpdate.Refused;
        _slots[i] = new PairEntry { ImeiPlusOne = imeiKey + 1, Imsi = packed, FirstSeen = firstSeen, LastSeen = lastSeen };
        _count++;
        return PairUpdate.Added;
    }

    /// <summary>How many IMSIs of the IMEI were last seen at or after <paramref name="since"/>.</summary>
    public int CountSince(ulong imeiKey, uint since)
    {
        int n = 0;
        for (int i = Home(imeiKey); !_slots[i].IsEmpty; i = (i + 1) & _mask)
        {
            if (_slots[i].ImeiPlusOne == imeiKey + 1 && _slots[i].LastSeen >= since) n++;
        }
        return n;
    }

    /// <summary>Adds the IMEI's pairs last seen at or after <paramref name="since"/> to <paramref name="into"/>.</summary>
    public void CopyPairs(ulong imeiKey, uint since, List<PairEntry> into)
    {
        for (int i = Home(imeiKey); !_slots[i].IsEmpty; i = (i + 1) & _mask)
        {
            if (_slots[i].ImeiPlusOne == imeiKey + 1 && _slots[i].LastSeen >= since) into.Add(_slots[i]);
        }
    }

    /// <summary>Every pair held, in slot order (for the snapshot file and sweeps).</summary>
    public IEnumerable<PairEntry> Entries()
    {
        for (int i = 0; i < _slots.Length; i++)
        {
            if (!_slots[i].IsEmpty) yield return _slots[i];
        }
    }

    /// <summary>A new table of the pairs last seen at or after <paramref name="since"/>, sized for them.</summary>
    public ObservedPairTable Without(uint since)
    {
        int kept = 0;
        foreach (PairEntry entry in _slots)
        {
            if (!entry.IsEmpty && entry.LastSeen >= since) kept++;
        }
        // The smallest power of two that holds them at most 3/4 full: rebuilding must not double the memory.
        var table = new ObservedPairTable((int)Math.Min(MaxCapacity, kept * 4L / 3 + 2));
        foreach (PairEntry entry in _slots)
        {
            if (!entry.IsEmpty && entry.LastSeen >= since) table.Insert(entry);
        }
        return table;
    }

    private void Resize(int capacity)
    {
        PairEntry[] old = _slots;
        _slots = new PairEntry[capacity];
        _mask = capacity - 1;
        _count = 0;
        foreach (PairEntry entry in old)
        {
            if (!entry.IsEmpty) Insert(entry);
        }
    }

    // For rebuilds: the pair is known not to be held.
    private void Insert(in PairEntry entry)
    {
        int i = Home(entry.ImeiKey);
        while (!_slots[i].IsEmpty) i = (i + 1) & _mask;
        _slots[i] = entry;
        _count++;
    }

    // MurmurHash3's finalizer, top bits: IMEI keys are dense in their low digits (serials of one TAC).
    private int Home(ulong imeiKey)
    {
        ulong x = imeiKey;
        x ^= x >> 33;
        x *= 0xff51afd7ed558ccdUL;
        x ^= x >> 33;
        x *= 0xc4ceb9fe1a85ec53UL;
        x ^= x >> 33;
        return (int)(x & (ulong)_mask);
    }
}
