using System.Buffers.Binary;

namespace ImeiEir.Core;

/// <summary>
/// A registry backup (<c>GET /v1/backup</c>, <c>eirctl backup</c>, content type <see cref="ContentType"/>): the
/// registry's whole change log up to one sequence S, from which a restore rebuilds everything the registry derives
/// from it (records, per-IMEI history, the sequence itself). The log is append-only, so changes 1..S are exactly the
/// state as of S however long the copy takes while pushes go on.
/// <code>
///  header   8 "IMEIBKUP"  4 u32 version (1)  8 u64 sequence S  16 generation of the source  8 i64 taken (Unix ms)  (44 bytes)
///  change   40-byte change (ChangeCodec), sequences 1, 2, ..., S in order
///  trailer  8 u64 0xFFFFFFFFFFFFFFFF  8 u64 change count (= S)                                                     (16 bytes)
/// </code>
/// All integers little-endian, the generation most significant byte first. A change's first 8 bytes are its sequence
/// (1..S), so all-ones there can only be the trailer, which tells a whole backup from a cut copy.
/// </summary>
public static class BackupFormat
{
    public const string ContentType = "application/vnd.imeieir.backup";
    public const int Version = 1;
    public const int HeaderSize = 44;
    public const int ChangeSize = ChangeCodec.Size;
    public const int TrailerSize = 16;
    public const ulong TrailerMarker = ulong.MaxValue;

    /// <summary>Response header of <c>GET /v1/backup</c>: the sequence S the backup holds.</summary>
    public const string SequenceHeader = "ImeiEir-Backup-Sequence";

    private static ReadOnlySpan<byte> Magic => "IMEIBKUP"u8;

    public static void WriteHeader(ulong sequence, RegistryGeneration source, long takenUnixMilliseconds, Span<byte> destination)
    {
        Magic.CopyTo(destination);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], Version);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[12..], sequence);
        source.Write(destination[20..]);
        BinaryPrimitives.WriteInt64LittleEndian(destination[36..], takenUnixMilliseconds);
    }

    public static bool TryReadHeader(ReadOnlySpan<byte> source, out ulong sequence, out RegistryGeneration generation, out long takenUnixMilliseconds)
    {
        sequence = 0;
        generation = RegistryGeneration.None;
        takenUnixMilliseconds = 0;
        if (source.Length < HeaderSize || !source[..8].SequenceEqual(Magic) || BinaryPrimitives.ReadUInt32LittleEndian(source[8..]) != Version)
            return false;
        sequence = BinaryPrimitives.ReadUInt64LittleEndian(source[12..]);
        generation = RegistryGeneration.Read(source[20..]);
        takenUnixMilliseconds = BinaryPrimitives.ReadInt64LittleEndian(source[36..]);
        return true;
    }

    public static void WriteTrailer(ulong count, Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(destination, TrailerMarker);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], count);
    }

    /// <summary>True when <paramref name="source"/> (16 bytes) is a trailer counting <paramref name="count"/> changes.</summary>
    public static bool IsTrailerOf(ReadOnlySpan<byte> source, ulong count) =>
        source.Length >= TrailerSize && BinaryPrimitives.ReadUInt64LittleEndian(source) == TrailerMarker
        && BinaryPrimitives.ReadUInt64LittleEndian(source[8..]) == count;

    /// <summary>The length of a whole backup of <paramref name="sequence"/> changes.</summary>
    public static long Length(ulong sequence) => HeaderSize + (long)sequence * ChangeSize + TrailerSize;
}
