using System.Buffers.Binary;

namespace ImeiEir.Core;

/// <summary>
/// The fixed 40-byte little-endian form of a <see cref="Change"/>, used in the registry's log, the binary feed and
/// snapshots. Explicit field by field (not a struct copy) so the format does not depend on memory layout.
/// <code>
///  0        8        16       24   28 29 30 31 32       40
///  +--------+--------+--------+----+--+--+--+--+--------+
///  |Sequence|ImeiKey |TimeMs  |Dead|Op|Ls|Rs|Or|Related |
///  +--------+--------+--------+----+--+--+--+--+--------+
/// </code>
/// A pair or unpair (op 3, 4) has no list, reason or deadline: its IMSI's digit count takes the deadline's place
/// (a u32 of 5 to 15) and its value the related key's (Related). The size is unchanged, so the log, the feed's
/// frames and backups keep their shape; a reader from before pairing refuses ops 3 and 4 as malformed, so nodes are
/// upgraded before their registry (docs/ARCHITECTURE.md, "Change feed").
/// </summary>
public static class ChangeCodec
{
    public const int Size = 40;

    public static void Write(in Change change, Span<byte> destination)
    {
        if (destination.Length < Size) ThrowTooShort();
        BinaryPrimitives.WriteUInt64LittleEndian(destination, change.Sequence);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], change.ImeiKey);
        BinaryPrimitives.WriteInt64LittleEndian(destination[16..], change.TimeUnixMilliseconds);
        bool pairing = change.IsPairing;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[24..], pairing ? change.Imsi.Digits : change.DeadlineUnixSeconds);
        destination[28] = (byte)change.Op;
        destination[29] = (byte)change.List;
        destination[30] = (byte)change.Reason;
        destination[31] = (byte)change.Origin;
        BinaryPrimitives.WriteUInt64LittleEndian(destination[32..], pairing ? change.Imsi.Value : change.RelatedImeiKey);
    }

    /// <summary>Decodes and validates; false when the bytes are not a well-formed change (bad enum, key out of range).</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out Change change)
    {
        change = default;
        if (source.Length < Size) return false;
        ulong key = BinaryPrimitives.ReadUInt64LittleEndian(source[8..]);
        ulong related = BinaryPrimitives.ReadUInt64LittleEndian(source[32..]);
        uint deadline = BinaryPrimitives.ReadUInt32LittleEndian(source[24..]);
        byte op = source[28], list = source[29], reason = source[30], origin = source[31];
        if (key >= Imei.KeyLimit
            || op is < (byte)ChangeOp.Set or > (byte)ChangeOp.Unpair
            || list > (byte)ListKind.Black || reason > (byte)Reason.Unverified
            || origin is < (byte)ChangeOrigin.Admin or > (byte)ChangeOrigin.Sighting)
            return false;

        PackedImsi imsi = PackedImsi.None;
        if (op is (byte)ChangeOp.Pair or (byte)ChangeOp.Unpair)
        {
            imsi = new PackedImsi(related, (byte)Math.Min(deadline, byte.MaxValue));
            if (deadline > ImsiText.MaxDigits || imsi.IsNone || !imsi.IsWellFormed || list != 0 || reason != 0) return false;
            related = 0;
            deadline = 0;
        }
        else if (related >= Imei.KeyLimit)
        {
            return false;
        }

        change = new Change
        {
            Sequence = BinaryPrimitives.ReadUInt64LittleEndian(source),
            ImeiKey = key,
            TimeUnixMilliseconds = BinaryPrimitives.ReadInt64LittleEndian(source[16..]),
            DeadlineUnixSeconds = deadline,
            Op = (ChangeOp)op,
            List = (ListKind)list,
            Reason = (Reason)reason,
            Origin = (ChangeOrigin)origin,
            RelatedImeiKey = related,
            Imsi = imsi,
        };
        return true;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void ThrowTooShort() => throw new ArgumentException($"A change needs {Size} bytes.");
}
