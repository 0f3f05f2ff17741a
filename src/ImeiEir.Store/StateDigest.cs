using ImeiEir.Core;

namespace ImeiEir.Store;

/// <summary>
/// A fingerprint of the registry state a store holds: the count of live registry records and an
/// order-independent 64-bit sum of a strong mix of each one (key, list, reason, deadline, sequence). Two stores
/// with the same registry state have the same digest whatever order they applied it in, so a node can be compared
/// with its registry without sorting 100 M records. Tombstones (list None) and local provisional records
/// (sequence 0) are not registry state and are left out.
/// </summary>
public readonly record struct StateDigest(long Records, ulong Sum)
{
    /// <summary>The digest as operators compare it: records and the sum in hex.</summary>
    public override string ToString() => $"{Records}:{Sum:x16}";

    /// <summary>
    /// The digest of a whole store: its records, and the rightful IMSIs of each paired one (docs/ARCHITECTURE.md,
    /// rule 2a), each pair adding <see cref="MixPair"/> to the sum, so two stores that differ only in pairs differ.
    /// </summary>
    public static StateDigest Compute(ImeiStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        long count = 0;
        ulong sum = 0;
        Span<PackedImsi> pairs = stackalloc PackedImsi[PairTable.MaxPairs];
        using ImeiStoreSession session = store.NewSession();
        foreach ((Imei imei, ImeiRecord record) in store.Scan())
        {
            if (record.IsPaired)
            {
                int n = session.GetPairs(imei, pairs);
                for (int i = 0; i < n; i++) sum += MixPair(imei, pairs[i]);
            }
            if (!Counts(record)) continue;
            count++;
            sum += Mix(imei, record);
        }
        return new StateDigest(count, sum);
    }

    /// <summary>One pair's contribution: distinct from any record's (a different tag in the mix).</summary>
    public static ulong MixPair(Imei imei, PackedImsi imsi)
    {
        ulong h = SplitMix(imei.Key ^ 0x5041495200000000UL); // "PAIR"
        h = SplitMix(h ^ imsi.Value);
        return SplitMix(h ^ imsi.Digits);
    }

    /// <summary>The digest of records alone (no pairs): a store's without pairs, or a snapshot stream's records.</summary>
    public static StateDigest Compute(IEnumerable<(Imei Imei, ImeiRecord Record)> records)
    {
        long count = 0;
        ulong sum = 0;
        foreach ((Imei imei, ImeiRecord record) in records)
        {
            if (!Counts(record))
                continue;
            count++;
            sum += Mix(imei, record);
        }
        return new StateDigest(count, sum);
    }

    /// <summary>Whether a record is part of the registry state the digest covers.</summary>
    public static bool Counts(in ImeiRecord record) => record.List != ListKind.None && record.Sequence != 0;

    /// <summary>One record's contribution; exposed so a reader of a snapshot stream can digest it the same way.</summary>
    public static ulong Mix(Imei imei, in ImeiRecord record)
    {
        ulong h = SplitMix(imei.Key);
        h = SplitMix(h ^ record.Sequence);
        h = SplitMix(h ^ ((ulong)record.DeadlineUnixSeconds << 16 | (ulong)record.List << 8 | (byte)record.Reason));
        return h;
    }

    // SplitMix64's finaliser: a bijective avalanche, so nearby records give unrelated contributions.
    private static ulong SplitMix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
