using System.Buffers.Binary;

namespace ImeiEir.Core;

/// <summary>
/// The registry snapshot (<c>GET /v1/snapshot</c>, content type <see cref="ContentType"/>): every live record as
/// of at least sequence S, then the feed from S brings a node up to date. The registry writes it while changes
/// keep arriving, so a record may already be newer than S; applying is sequence-guarded, so that is harmless.
/// <code>
///  header   8  "IMEISNAP"   4 u32 version (1)   8 u64 sequence S                          (20 bytes)
///  record   8 u64 IMEI key  8 u64 record sequence  4 u32 deadline  1 list  1 reason  2 zero (24 bytes), repeated
///  trailer  8 u64 0xFFFFFFFFFFFFFFFF  8 u64 record count                                 (16 bytes)
/// </code>
/// All integers little-endian. The trailer lets a reader tell a complete snapshot from a cut connection.
/// </summary>
public static class SnapshotFormat
{
    public const string ContentType = "application/vnd.imeieir.snapshot";
    public const int Version = 1;
    public const int HeaderSize = 20;
    public const int RecordSize = 24;
    public const int TrailerSize = 16;
    public const ulong TrailerMarker = ulong.MaxValue;

    private static ReadOnlySpan<byte> Magic => "IMEISNAP"u8;

    public static void WriteHeader(ulong sequence, Span<byte> destination)
    {
        Magic.CopyTo(destination);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], Version);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[12..], sequence);
    }

    public static bool TryReadHeader(ReadOnlySpan<byte> source, out ulong sequence)
    {
        sequence = 0;
        if (source.Length < HeaderSize || !source[..8].SequenceEqual(Magic)
            || BinaryPrimitives.ReadUInt32LittleEndian(source[8..]) != Version)
            return false;
        sequence = BinaryPrimitives.ReadUInt64LittleEndian(source[12..]);
        return true;
    }

    public static void WriteRecord(Imei imei, in ImeiRecord record, Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(destination, imei.Key);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], record.Sequence);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[16..], record.DeadlineUnixSeconds);
        destination[20] = (byte)record.List;
        destination[21] = (byte)record.Reason;
        destination[22] = 0;
        destination[23] = 0;
    }

    /// <summary>Which of the two 24/16-byte shapes follows: a record, or the trailer (first 8 bytes all ones).</summary>
    public static bool IsTrailer(ReadOnlySpan<byte> source) => BinaryPrimitives.ReadUInt64LittleEndian(source) == TrailerMarker;

    public static bool TryReadRecord(ReadOnlySpan<byte> source, out Imei imei, out ImeiRecord record)
    {
        imei = default;
        record = default;
        ulong key = BinaryPrimitives.ReadUInt64LittleEndian(source);
        byte list = source[20], reason = source[21];
        if (key >= Imei.KeyLimit || list is 0 or > (byte)ListKind.Black || reason > (byte)Reason.Unverified)
            return false;
        imei = Imei.FromKey(key);
        record = new ImeiRecord((ListKind)list, (Reason)reason,
            BinaryPrimitives.ReadUInt32LittleEndian(source[16..]), BinaryPrimitives.ReadUInt64LittleEndian(source[8..]));
        return true;
    }

    public static void WriteTrailer(ulong recordCount, Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(destination, TrailerMarker);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], recordCount);
    }

    public static ulong ReadTrailerCount(ReadOnlySpan<byte> source) => BinaryPrimitives.ReadUInt64LittleEndian(source[8..]);
}
