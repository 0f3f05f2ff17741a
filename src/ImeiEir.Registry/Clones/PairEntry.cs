using ImeiEir.Core;

namespace ImeiEir.Registry;

/// <summary>
/// One (IMEI, IMSI) pair of the clone watch, 24 bytes, blittable: the IMEI key plus one (0 marks an empty slot), the
/// IMSI packed with its digit count in the top byte, and the first and last time seen (Unix seconds).
/// </summary>
internal struct PairEntry
{
    public ulong ImeiPlusOne;
    public ulong Imsi;
    public uint FirstSeen;
    public uint LastSeen;

    public readonly bool IsEmpty => ImeiPlusOne == 0;

    public readonly ulong ImeiKey => ImeiPlusOne - 1;

    public readonly PackedImsi PackedImsi => new(Imsi & 0x00FF_FFFF_FFFF_FFFFUL, (byte)(Imsi >> 56));

    /// <summary>IMSI values are under 10^15 &lt; 2^50, so the digit count fits above them.</summary>
    public static ulong Pack(PackedImsi imsi) => imsi.Value | ((ulong)imsi.Digits << 56);
}
