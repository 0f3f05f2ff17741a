using ImeiEir.Core;

namespace ImeiEir.Store;

/// <summary>
/// Where a paired IMEI's rightful IMSIs live (docs/ARCHITECTURE.md, rule 2a): in the same FASTER store as the
/// records, one entry per IMSI under a key of its own, so they share its checkpoints, recovery and clearing, and a
/// lookup stays one allocation-free read per slot. Only an IMEI whose record <see cref="ImeiRecord.IsPaired"/> has
/// entries, so an unpaired lookup never reads them.
/// <code>
///  key    63 62 61 .............. 3 2  0        value (the 16-byte ImeiRecord, reused)
///        +--+--+-------------------+----+      Sequence = the IMSI's value
///        | 0| 1|  IMEI key (47 b)  |slot|      Deadline = its digit count (5..15); list, reason, flags 0
///        +--+--+-------------------+----+
/// </code>
/// An IMEI key is below 10^14 &lt; 2^47, so entry keys (bit 62 set) never meet record keys. Slots are dense: an
/// IMEI with n pairs has slots 0..n-1, a removal moving the last one into the hole, so a lookup stops at the first
/// empty slot. At most <see cref="MaxPairs"/> per IMEI: enough for a family's or a fleet's few SIMs, and it bounds
/// the reads of a check to that many.
/// </summary>
public static class PairTable
{
    /// <summary>Rightful IMSIs an IMEI may have; the registry refuses a ninth with a line error.</summary>
    public const int MaxPairs = 8;

    internal const long KeyBase = 1L << 62;

    internal static bool IsPairKey(long key) => key >= KeyBase;

    internal static long KeyOf(Imei imei, int slot) => KeyBase | (long)(imei.Key << 3) | (long)slot;

    internal static Imei ImeiOf(long key) => Imei.FromKey((ulong)(key & ~KeyBase) >> 3);

    internal static int SlotOf(long key) => (int)(key & 7);

    internal static ImeiRecord Encode(PackedImsi imsi) => new(ListKind.None, Reason.None, imsi.Digits, imsi.Value);

    internal static PackedImsi Decode(in ImeiRecord entry) => new(entry.Sequence, (byte)entry.DeadlineUnixSeconds);
}
