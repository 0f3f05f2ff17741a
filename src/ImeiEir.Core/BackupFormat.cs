using System.Buffers.Binary;
using System.Text;

namespace ImeiEir.Core;

/// <summary>
/// A registry backup (<c>GET /v1/backup</c>, <c>eirctl backup</c>, content type <see cref="ContentType"/>): the
/// registry's whole change log up to one sequence S, from which a restore rebuilds everything the registry derives
/// from it (records, per-IMEI history, the sequence itself), and the state beside the log that a restore cannot derive
/// (the TAC database, the notifier's outbox, sighting pairs and subscriber directory) as named sections. The log is
/// append-only, so changes 1..S are exactly the state as of S however long the copy takes while pushes go on; the
/// sections are captured when S is read.
/// <code>
///  header   8 "IMEIBKUP"  4 u32 version (3)  8 u64 sequence S  16 generation of the source  8 i64 taken (Unix ms)
///           8 u64 attribution bytes A (version 2 and 3)  8 u64 section bytes X  8 u64 first change F
///           8 u64 base records K (version 3)                                                 (76 bytes; 2: 52; 1: 44)
///  base     K 40-byte changes (version 3)
///  change   40-byte change (ChangeCodec), sequences F, F + 1, ..., S in order (F = 1 before version 3)
///  attrib   A bytes: who made changes 1..S and the pushes' comments, as the registry's attribution file holds
///           them (one record per write batch; version 2 and 3)
///  sections X bytes, each section: 2 u16 name length N  N name (ASCII)  8 u64 content length L  L content (version 3)
///  trailer  8 u64 0xFFFFFFFFFFFFFFFF  8 u64 change count (= S)                                                     (16 bytes)
/// </code>
/// Version 1 backups (no attributions: history shows each change's origin as its actor) and version 2 backups (no
/// sections: no TAC database, no notices' state) are still restored.
/// Once retention has truncated the registry's log (README, "Retention") it begins at change F > 1, so the records
/// whose last change is before F come first, as K base records (each a record as of S whose last change is before F:
/// its number, state, time 0), and the change section holds changes F, F + 1, ..., S; a whole log has F = 1, K = 0.
/// All integers little-endian, the generation most significant byte first. A change's first 8 bytes are its sequence
/// (1..S), so all-ones there can only be the trailer, which tells a whole backup from a cut copy.
/// </summary>
public static class BackupFormat
{
    public const string ContentType = "application/vnd.imeieir.backup";
    public const int Version = 3;
    public const int HeaderSize = 76;
    public const int Version2HeaderSize = 52;
    public const int Version1HeaderSize = 44;

    /// <summary>The longest header of any version: read this many bytes (or the whole file when shorter).</summary>
    public const int MaxHeaderSize = HeaderSize;
    public const int ChangeSize = ChangeCodec.Size;
    public const int TrailerSize = 16;
    public const ulong TrailerMarker = ulong.MaxValue;

    /// <summary>Response header of <c>GET /v1/backup</c>: the sequence S the backup holds.</summary>
    public const string SequenceHeader = "ImeiEir-Backup-Sequence";

    private static ReadOnlySpan<byte> Magic => "IMEIBKUP"u8;

    /// <summary>A backup's header, of any version.</summary>
    /// <param name="Version">1, 2 or 3.</param>
    /// <param name="Sequence">S: the changes the backup holds.</param>
    /// <param name="Generation">The generation of the registry it was taken from.</param>
    /// <param name="TakenUnixMilliseconds">When it was taken.</param>
    /// <param name="AttributionBytes">A: bytes of attribution records (0 in version 1).</param>
    /// <param name="SectionBytes">X: bytes of sections (0 before version 3).</param>
    public readonly record struct Header(int Version, ulong Sequence, RegistryGeneration Generation, long TakenUnixMilliseconds, long AttributionBytes,
        long SectionBytes = 0)
    {
        /// <summary>F: the first change of the change section (version 3; 1 otherwise).</summary>
        public ulong FirstChange { get; init; } = 1;

        /// <summary>K: the base records before it (version 3; 0 otherwise).</summary>
        public ulong BaseRecords { get; init; }

        /// <summary>Bytes of this header in the file.</summary>
        public int Size => Version switch { 1 => Version1HeaderSize, 2 => Version2HeaderSize, _ => HeaderSize };

        /// <summary>Base records plus changes: the 40-byte entries after the header.</summary>
        public ulong Entries => BaseRecords + Sequence - FirstChange + 1;

        /// <summary>Where the sections begin.</summary>
        public long SectionsOffset => Size + (long)Entries * ChangeSize + AttributionBytes;

        /// <summary>The length of the whole backup this header begins.</summary>
        public long Length => SectionsOffset + SectionBytes + TrailerSize;
    }

    /// <summary>A version-3 header: changes <paramref name="firstChange"/>..S after <paramref name="baseRecords"/> base records (1 and 0 for a whole log).</summary>
    public static void WriteHeader(ulong sequence, RegistryGeneration source, long takenUnixMilliseconds, long attributionBytes, long sectionBytes,
        ulong firstChange, ulong baseRecords, Span<byte> destination)
    {
        Magic.CopyTo(destination);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], Version);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[12..], sequence);
        source.Write(destination[20..]);
        BinaryPrimitives.WriteInt64LittleEndian(destination[36..], takenUnixMilliseconds);
        BinaryPrimitives.WriteInt64LittleEndian(destination[44..], attributionBytes);
        BinaryPrimitives.WriteInt64LittleEndian(destination[52..], sectionBytes);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[60..], firstChange);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[68..], baseRecords);
    }

    /// <summary>
    /// Reads a header of version 1, 2 or 3 from the file's first bytes (<see cref="HeaderSize"/> of them, or fewer when
    /// the file is shorter: an older header needs only its own size).
    /// </summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> source, out Header header)
    {
        header = default;
        if (source.Length < Version1HeaderSize || !source[..8].SequenceEqual(Magic)) return false;
        int version = (int)BinaryPrimitives.ReadUInt32LittleEndian(source[8..]);
        int size = version switch { 1 => Version1HeaderSize, 2 => Version2HeaderSize, Version => HeaderSize, _ => 0 };
        if (size == 0 || source.Length < size) return false;
        long attributionBytes = version == 1 ? 0 : BinaryPrimitives.ReadInt64LittleEndian(source[44..]);
        long sectionBytes = version < 3 ? 0 : BinaryPrimitives.ReadInt64LittleEndian(source[52..]);
        if (attributionBytes < 0 || sectionBytes < 0) return false;
        header = new Header(version, BinaryPrimitives.ReadUInt64LittleEndian(source[12..]), RegistryGeneration.Read(source[20..]),
            BinaryPrimitives.ReadInt64LittleEndian(source[36..]), attributionBytes, sectionBytes);
        if (version >= 3)
        {
            header = header with
            {
                FirstChange = BinaryPrimitives.ReadUInt64LittleEndian(source[60..]),
                BaseRecords = BinaryPrimitives.ReadUInt64LittleEndian(source[68..]),
            };
            // F within 1..S + 1 (a count is checked, not assumed), K below 2^40.
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

    /// <summary>The sections' bytes (see the layout above) for <paramref name="sections"/>, in order.</summary>
    public static byte[] EncodeSections(IReadOnlyList<BackupSection> sections)
    {
        ArgumentNullException.ThrowIfNull(sections);
        long length = 0;
        foreach (BackupSection section in sections)
        {
            // What TryDecodeSections accepts: 1 to 65,535 printable ASCII characters, no space.
            if (section.Name.Length is 0 or > ushort.MaxValue || section.Name.Any(c => c is < '!' or > '~'))
                throw new ArgumentException($"'{section.Name}' is not a backup section name (printable ASCII, no spaces)", nameof(sections));
            length += 2 + section.Name.Length + 8 + section.Content.Length;
        }
        var bytes = new byte[length];
        int offset = 0;
        foreach (BackupSection section in sections)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(offset), (ushort)section.Name.Length);
            offset += 2 + Encoding.ASCII.GetBytes(section.Name, bytes.AsSpan(offset + 2));
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(offset), section.Content.Length);
            section.Content.CopyTo(bytes.AsSpan(offset + 8));
            offset += 8 + section.Content.Length;
        }
        return bytes;
    }

    /// <summary>Reads the sections <see cref="EncodeSections"/> wrote; false when the bytes are not exactly such a list.</summary>
    public static bool TryDecodeSections(ReadOnlySpan<byte> source, out List<BackupSection> sections)
    {
        sections = [];
        while (!source.IsEmpty)
        {
            if (source.Length < 2) return false;
            int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(source);
            if (nameLength == 0 || source.Length < 2 + nameLength + 8) return false;
            ReadOnlySpan<byte> name = source.Slice(2, nameLength);
            foreach (byte b in name) if (b is < 0x21 or > 0x7E) return false;
            long length = BinaryPrimitives.ReadInt64LittleEndian(source[(2 + nameLength)..]);
            source = source[(2 + nameLength + 8)..];
            if (length < 0 || length > source.Length) return false;
            sections.Add(new BackupSection(Encoding.ASCII.GetString(name), source[..(int)length].ToArray()));
            source = source[(int)length..];
        }
        return true;
    }

    /// <summary>
    /// The sections of the backup in <paramref name="backupFile"/> (none in versions 1 and 2), after checking that the
    /// file is a whole backup: its header, its length and its trailer.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a whole backup, or its sections are damaged.</exception>
    public static List<BackupSection> ReadSections(string backupFile)
    {
        using var input = new FileStream(backupFile, FileMode.Open, FileAccess.Read, FileShare.Read);
        var headerBytes = new byte[Math.Min(MaxHeaderSize, input.Length)];
        input.ReadExactly(headerBytes);
        if (!TryReadHeader(headerBytes, out Header header))
            throw new InvalidDataException($"{backupFile} is not a registry backup (no IMEIBKUP header of version 1 to {Version})");
        if (input.Length != header.Length)
            throw new InvalidDataException($"{backupFile} is cut or damaged: {input.Length} bytes, where a backup of {header.Sequence} changes has {header.Length}");
        var trailer = new byte[TrailerSize];
        input.Position = header.Length - TrailerSize;
        input.ReadExactly(trailer);
        if (!IsTrailerOf(trailer, header.Sequence))
            throw new InvalidDataException($"{backupFile} is damaged: its trailer does not count {header.Sequence} changes");
        if (header.SectionBytes > int.MaxValue)
            throw new InvalidDataException($"{backupFile}: {header.SectionBytes} bytes of sections is more than a backup holds");
        var bytes = new byte[header.SectionBytes];
        input.Position = header.SectionsOffset;
        input.ReadExactly(bytes);
        if (!TryDecodeSections(bytes, out List<BackupSection> sections))
            throw new InvalidDataException($"{backupFile} is damaged: its sections do not parse");
        return sections;
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

    /// <summary>The length of a whole backup of this version: <paramref name="sequence"/> changes, <paramref name="attributionBytes"/> and <paramref name="sectionBytes"/>.</summary>
    public static long Length(ulong sequence, long attributionBytes, long sectionBytes = 0) =>
        HeaderSize + (long)sequence * ChangeSize + attributionBytes + sectionBytes + TrailerSize;
}
