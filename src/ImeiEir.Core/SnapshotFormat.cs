using System.Buffers.Binary;

namespace ImeiEir.Core;

/// <summary>
/// The registry snapshot (<c>GET /v1/snapshot</c>, content type <see cref="ContentType"/>): every live record as
/// of at least sequence S, then the feed from S brings a node up to date. The registry writes it while changes
/// keep arriving, so a record may already be newer than S; applying is sequence-guarded, so that is harmless.
/// <code>
///  header   8  "IMEISNAP"   4 u32 version (3)   8 u64 sequence S   16 registry generation  (36 bytes)
///  record   8 u64 IMEI key  8 u64 record sequence  4 u32 deadline  1 list  1 reason  1 flags  1 zero  (24 bytes)
///  pair     8 u64 2^62 | IMEI key  8 u64 IMSI value  4 u32 IMSI digits  1 slot  3 zero            (24 bytes)
///  trailer  8 u64 0xFFFFFFFFFFFFFFFF  8 u64 entry count (records and pairs)               (16 bytes)
/// </code>
/// Records and pairs repeat; a paired record (flags bit 0, docs/ARCHITECTURE.md, rule 2a) is followed by its rightful
/// IMSIs, read after it, so they are at least as new as the record and the feed's later changes to them, applied
/// again, leave the registry's state. A paired record may be on no list (list 0): it still carries the pairing.
/// All integers little-endian; the generation (<see cref="RegistryGeneration"/>) is its 16 bytes, most significant
/// first. The trailer lets a reader tell a complete snapshot from a cut connection.
/// <para>
/// Versions: 1 had the 20-byte header without the generation (a registry from before generations); readers still
/// accept it, with generation <see cref="RegistryGeneration.None"/>. 2 had no pairs and no flags. Writers write
/// version 3, which an older reader refuses (an unknown version) and retries: upgrade nodes before their registry.
/// </para>
/// </summary>
public static class SnapshotFormat
{
    public const string ContentType = "application/vnd.imeieir.snapshot";
    public const int Version = 3;

    /// <summary>The header writers write (versions 2 and 3).</summary>
    public const int HeaderSize = 36;

    /// <summary>The version-1 header, still read.</summary>
    public const int HeaderSizeV1 = 20;

    /// <summary>Magic and version: enough to know the header's size.</summary>
    public const int HeaderPrefixSize = 12;
    public const int RecordSize = 24;
    public const int TrailerSize = 16;
    public const ulong TrailerMarker = ulong.MaxValue;

    private static ReadOnlySpan<byte> Magic => "IMEISNAP"u8;

    public static void WriteHeader(ulong sequence, RegistryGeneration generation, Span<byte> destination)
    {
        Magic.CopyTo(destination);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], Version);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[12..], sequence);
        generation.Write(destination[20..]);
    }

    /// <summary>
    /// From the first <see cref="HeaderPrefixSize"/> bytes: the size of the whole header (20 for version 1, 36 for
    /// version 2); false when they are not a snapshot header of a known version.
    /// </summary>
    public static bool TryReadHeaderSize(ReadOnlySpan<byte> prefix, out int size)
    {
        size = 0;
        if (prefix.Length < HeaderPrefixSize || !prefix[..8].SequenceEqual(Magic)) return false;
        size = BinaryPrimitives.ReadUInt32LittleEndian(prefix[8..]) switch
        {
            1 => HeaderSizeV1,
            2 or 3 => HeaderSize,
            _ => 0,
        };
        return size != 0;
    }

    /// <summary>Reads a whole header of either version (<see cref="TryReadHeaderSize"/> bytes); version 1 has no generation.</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> source, out ulong sequence, out RegistryGeneration generation)
    {
        sequence = 0;
        generation = RegistryGeneration.None;
        if (!TryReadHeaderSize(source, out int size) || source.Length < size) return false;
        sequence = BinaryPrimitives.ReadUInt64LittleEndian(source[12..]);
        if (size == HeaderSize) generation = RegistryGeneration.Read(source[20..]);
        return true;
    }

    public static void WriteRecord(Imei imei, in ImeiRecord record, Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(destination, imei.Key);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], record.Sequence);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[16..], record.DeadlineUnixSeconds);
        destination[20] = (byte)record.List;
        destination[21] = (byte)record.Reason;
        destination[22] = record.IsPaired ? PairedFlag : (byte)0;
        destination[23] = 0;
    }

    private const byte PairedFlag = 1;

    /// <summary>Marks the first 8 bytes of a pair entry (bit 62 over the IMEI key, which is below 2^47).</summary>
    public const ulong PairMarker = 1UL << 62;

    /// <summary>One rightful IMSI of the paired record written just before, at its slot.</summary>
    public static void WritePair(Imei imei, int slot, PackedImsi imsi, Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(destination, PairMarker | imei.Key);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], imsi.Value);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[16..], imsi.Digits);
        destination[20] = (byte)slot;
        destination[21] = destination[22] = destination[23] = 0;
    }

    /// <summary>Whether the 24 bytes are a pair entry rather than a record (neither is the trailer).</summary>
    public static bool IsPair(ReadOnlySpan<byte> source) =>
        BinaryPrimitives.ReadUInt64LittleEndian(source) >> 62 == 1; // the trailer's top bits are 11, a record's 00

    /// <summary>Decodes a pair entry; false when its key, IMSI or slot is out of range.</summary>
    public static bool TryReadPair(ReadOnlySpan<byte> source, out Imei imei, out int slot, out PackedImsi imsi)
    {
        imei = default;
        imsi = default;
        ulong key = BinaryPrimitives.ReadUInt64LittleEndian(source) & ~PairMarker;
        uint digits = BinaryPrimitives.ReadUInt32LittleEndian(source[16..]);
        slot = source[20];
        var candidate = new PackedImsi(BinaryPrimitives.ReadUInt64LittleEndian(source[8..]), (byte)Math.Min(digits, byte.MaxValue));
        if (key >= Imei.KeyLimit || digits > ImsiText.MaxDigits || candidate.IsNone || !candidate.IsWellFormed || slot >= MaxPairsPerImei)
            return false;
        imei = Imei.FromKey(key);
        imsi = candidate;
        return true;
    }

    /// <summary>Slots a pair entry may name: PairTable.MaxPairs (the store's limit, which the registry enforces).</summary>
    public const int MaxPairsPerImei = 8;

    /// <summary>Which of the two 24/16-byte shapes follows: a record, or the trailer (first 8 bytes all ones).</summary>
    public static bool IsTrailer(ReadOnlySpan<byte> source) => BinaryPrimitives.ReadUInt64LittleEndian(source) == TrailerMarker;

    public static bool TryReadRecord(ReadOnlySpan<byte> source, out Imei imei, out ImeiRecord record)
    {
        imei = default;
        record = default;
        ulong key = BinaryPrimitives.ReadUInt64LittleEndian(source);
        byte list = source[20], reason = source[21], flags = source[22];
        bool paired = flags == PairedFlag;
        if (key >= Imei.KeyLimit || (list == 0 && !paired) || list > (byte)ListKind.Black || reason > (byte)Reason.Unverified
            || flags > PairedFlag)
            return false;
        imei = Imei.FromKey(key);
        record = new ImeiRecord((ListKind)list, (Reason)reason,
            BinaryPrimitives.ReadUInt32LittleEndian(source[16..]), BinaryPrimitives.ReadUInt64LittleEndian(source[8..])) { IsPaired = paired };
        return true;
    }

    public static void WriteTrailer(ulong recordCount, Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(destination, TrailerMarker);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], recordCount);
    }

    public static ulong ReadTrailerCount(ReadOnlySpan<byte> source) => BinaryPrimitives.ReadUInt64LittleEndian(source[8..]);
}
