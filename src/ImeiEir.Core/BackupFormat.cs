using System.Buffers.Binary;

namespace ImeiEir.Core;

/// <summary>
/// A registry backup (<c>GET /v1/backup</c>, <c>eirctl backup</c>, content type <see cref="ContentType"/>): the
/// registry's whole change log up to one sequence S, from which a restore rebuilds everything the registry derives
/// from it (records, per-IMEI history, the sequence itself). The log is append-only, so changes 1..S are exactly the
/// state as of S however long the copy takes while pushes go on.
/// <code>
///  header   8 "IMEIBKUP"  4 u32 version (2)  8 u64 sequence S  16 generation of the source  8 i64 taken (Unix ms)
///           8 u64 attribution bytes A (version 2 only)                                        (52 bytes; version 1: 44)
///  change   40-byte change (ChangeCodec), sequences 1, 2, ..., S in order
///  attrib   A bytes: who made changes 1..S and the pushes' comments, as the registry's attribution file holds
///           them (one record per write batch; version 2 only)
///  trailer  8 u64 0xFFFFFFFFFFFFFFFF  8 u64 change count (= S)                                                     (16 bytes)
/// </code>
/// Version 1 backups (no attributions: history shows each change's origin as its actor) are still restored.
/// Version 3 is written only by a registry whose change log retention truncated (README, "Retention"): its log begins
/// at change F > 1, so the records whose last change is before F come as a base section instead:
/// <code>
///  header   the version-2 header with version 3, then  8 u64 first change F  8 u64 base records K             (68 bytes)
///  base     K 40-byte changes, each a record as of S whose last change is before F (its number, state, time 0)
///  change   changes F, F + 1, ..., S in order
///  attrib, trailer   as in version 2
/// </code>
/// All integers little-endian, the generation most significant byte first. A change's first 8 bytes are its sequence
/// (1..S), so all-ones there can only be the trailer, which tells a whole backup from a cut copy.
/// </summary>
public static class BackupFormat
{
    public const string ContentType = "application/vnd.imeieir.backup";
    public const int Version = 2;
    public const int HeaderSize = 52;
    public const int Version1HeaderSize = 44;
    public const int Version3 = 3;
    public const int Version3HeaderSize = 68;

    /// <summary>The longest header of any version: read this many bytes (or the whole file when shorter).</summary>
    public const int MaxHeaderSize = Version3HeaderSize;
    public const int ChangeSize = ChangeCodec.Size;
    public const int TrailerSize = 16;
    public const ulong TrailerMarker = ulong.MaxValue;

    /// <summary>Response header of <c>GET /v1/backup</c>: the sequence S the backup holds.</summary>
    public const string SequenceHeader = "ImeiEir-Backup-Sequence";

    private static ReadOnlySpan<byte> Magic => "IMEIBKUP"u8;

    /// <summary>A backup's header, of either version.</summary>
    /// <param name="Version">1 or 2.</param>
    /// <param name="Sequence">S: the changes the backup holds.</param>
    /// <param name="Generation">The generation of the registry it was taken from.</param>
    /// <param name="TakenUnixMilliseconds">When it was taken.</param>
    /// <param name="AttributionBytes">A: bytes of attribution records (0 in version 1).</param>
    public readonly record struct Header(int Version, ulong Sequence, RegistryGeneration Generation, long TakenUnixMilliseconds, long AttributionBytes)
    {
        /// <summary>F: the first change of the change section (version 3; 1 otherwise).</summary>
        public ulong FirstChange { get; init; } = 1;

        /// <summary>K: the base records before it (version 3; 0 otherwise).</summary>
        public ulong BaseRecords { get; init; }

        /// <summary>Bytes of this header in the file.</summary>
        public int Size => Version switch { 1 => Version1HeaderSize, Version3 => Version3HeaderSize, _ => HeaderSize };

        /// <summary>The length of the whole backup this header begins.</summary>
        public long Length => Size + (long)(BaseRecords + Sequence - FirstChange + 1) * ChangeSize + AttributionBytes + TrailerSize;
    }

    /// <summary>A version-3 header: the log begins at <paramref name="firstChange"/>, after <paramref name="baseRecords"/> base records.</summary>
    public static void WriteVersion3Header(ulong sequence, RegistryGeneration source, long takenUnixMilliseconds, long attributionBytes,
        ulong firstChange, ulong baseRecords, Span<byte> destination)
    {
        WriteHeader(sequence, source, takenUnixMilliseconds, attributionBytes, destination);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], Version3);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[52..], firstChange);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[60..], baseRecords);
    }

    public static void WriteHeader(ulong sequence, RegistryGeneration source, long takenUnixMilliseconds, long attributionBytes, Span<byte> destination)
    {
        Magic.CopyTo(destination);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], Version);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[12..], sequence);
        source.Write(destination[20..]);
        BinaryPrimitives.WriteInt64LittleEndian(destination[36..], takenUnixMilliseconds);
        BinaryPrimitives.WriteInt64LittleEndian(destination[44..], attributionBytes);
    }

    /// <summary>
    /// Reads a header of version 1 or 2 from the file's first bytes (<see cref="HeaderSize"/> of them, or fewer when
    /// the file is shorter: a version-1 header needs only <see cref="Version1HeaderSize"/>).
    /// </summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> source, out Header header)
    {
        header = default;
        if (source.Length < Version1HeaderSize || !source[..8].SequenceEqual(Magic)) return false;
        int version = (int)BinaryPrimitives.ReadUInt32LittleEndian(source[8..]);
        if (version is not (1 or Version or Version3) || (version == Version && source.Length < HeaderSize)
            || (version == Version3 && source.Length < Version3HeaderSize)) return false;
        long attributionBytes = version == 1 ? 0 : BinaryPrimitives.ReadInt64LittleEndian(source[44..]);
        if (attributionBytes < 0) return false;
        header = new Header(version, BinaryPrimitives.ReadUInt64LittleEndian(source[12..]), RegistryGeneration.Read(source[20..]),
            BinaryPrimitives.ReadInt64LittleEndian(source[36..]), attributionBytes);
        if (version == Version3)
        {
            header = header with
            {
                FirstChange = BinaryPrimitives.ReadUInt64LittleEndian(source[52..]),
                BaseRecords = BinaryPrimitives.ReadUInt64LittleEndian(source[60..]),
            };
            // F within 2..S + 1 (at least one change is kept, but a count is checked, not assumed), K below 2^40.
            if (header.FirstChange < 1 || header.FirstChange > header.Sequence + 1 || header.BaseRecords > 1UL << 40) return false;
        }
        return true;
    }

    public static bool TryReadHeader(ReadOnlySpan<byte> source, out ulong sequence, out RegistryGeneration generation, out long takenUnixMilliseconds)
    {
        bool read = TryReadHeader(source, out Header header);
        (sequence, generation, takenUnixMilliseconds) = (header.Sequence, read ? header.Generation : RegistryGeneration.None, header.TakenUnixMilliseconds);
        return read;
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

    /// <summary>The length of a whole version-2 backup of <paramref name="sequence"/> changes and <paramref name="attributionBytes"/>.</summary>
    public static long Length(ulong sequence, long attributionBytes) => HeaderSize + (long)sequence * ChangeSize + attributionBytes + TrailerSize;
}
