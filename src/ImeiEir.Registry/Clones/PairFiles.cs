using System.Buffers.Binary;
using ImeiEir.Core;

namespace ImeiEir.Registry;

/// <summary>
/// The clone watch on disk, in <c>&lt;registry&gt;/clones</c>: <see cref="TableFileName"/>, every pair as of the last
/// compaction (written to a temporary file, flushed, renamed), and <see cref="JournalFileName"/>, the pairs added or
/// moved since, appended and flushed to disk before a batch of sightings is answered. Both are an 8-byte magic then
/// 24-byte records, little-endian:
/// <code>
/// 0  u64 IMEI key    8  u64 IMSI value | digits &lt;&lt; 56    16 u32 first seen    20 u32 last seen  (Unix seconds)
/// </code>
/// A torn journal tail (a crash mid-append) is cut off at the last whole, well-formed record; replaying a record twice
/// changes nothing, so a crash between a compaction's rename and the journal's truncation loses nothing.
/// </summary>
internal sealed class PairFiles : IDisposable
{
    public const string TableFileName = "pairs.table";
    public const string JournalFileName = "pairs.journal";
    public const int RecordSize = 24;

    private static readonly byte[] s_tableMagic = "IEIRCLT1"u8.ToArray();
    private static readonly byte[] s_journalMagic = "IEIRCLJ1"u8.ToArray();

    private readonly string _directory;
    private readonly byte[] _record = new byte[RecordSize];
    private FileStream _journal;

    private PairFiles(string directory, FileStream journal, long journalRecords)
    {
        _directory = directory;
        _journal = journal;
        JournalRecords = journalRecords;
    }

    /// <summary>Records in the journal now.</summary>
    public long JournalRecords { get; private set; }

    /// <summary>
    /// Opens the files in <paramref name="directory"/> (creating it), feeding every stored pair to
    /// <paramref name="load"/>: the table's first, then the journal's. Returns the bytes of torn journal tail cut off.
    /// </summary>
    /// <exception cref="InvalidDataException">The table file is damaged (it is written whole, so it never is torn).</exception>
    public static PairFiles Open(string directory, Action<PairEntry> load, out long discarded)
    {
        Directory.CreateDirectory(directory);
        string tablePath = Path.Combine(directory, TableFileName);
        if (File.Exists(tablePath))
        {
            byte[] table = File.ReadAllBytes(tablePath);
            if (table.Length < s_tableMagic.Length || !table.AsSpan(0, s_tableMagic.Length).SequenceEqual(s_tableMagic)
                || (table.Length - s_tableMagic.Length) % RecordSize != 0)
                throw new InvalidDataException($"{tablePath}: not a clone watch table (bad magic or length {table.Length})");
            for (int offset = s_tableMagic.Length; offset < table.Length; offset += RecordSize)
            {
                if (!TryDecode(table.AsSpan(offset, RecordSize), out PairEntry entry))
                    throw new InvalidDataException($"{tablePath}: record at byte {offset} is not a pair");
                load(entry);
            }
        }

        string journalPath = Path.Combine(directory, JournalFileName);
        var journal = new FileStream(journalPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 1 << 16);
        discarded = 0;
        long records = 0;
        if (journal.Length < s_journalMagic.Length)
        {
            discarded = journal.Length;
            journal.SetLength(0);
            journal.Write(s_journalMagic);
            journal.Flush(flushToDisk: true);
        }
        else
        {
            byte[] magic = new byte[s_journalMagic.Length];
            journal.ReadExactly(magic);
            if (!magic.AsSpan().SequenceEqual(s_journalMagic))
            {
                journal.Dispose();
                throw new InvalidDataException($"{journalPath}: not a clone watch journal (bad magic)");
            }
            byte[] record = new byte[RecordSize];
            long end = s_journalMagic.Length;
            while (journal.Length - end >= RecordSize)
            {
                journal.ReadExactly(record);
                if (!TryDecode(record, out PairEntry entry)) break;
                load(entry);
                end += RecordSize;
                records++;
            }
            discarded = journal.Length - end;
            if (discarded > 0) journal.SetLength(end);
            journal.Position = end;
        }
        return new PairFiles(directory, journal, records);
    }

    /// <summary>Appends a pair to the journal (buffered until <see cref="Flush"/>).</summary>
    public void Append(in PairEntry entry)
    {
        Encode(entry, _record);
        _journal.Write(_record);
        JournalRecords++;
    }

    /// <summary>Makes every append durable; throws <see cref="IOException"/> when the disk refuses.</summary>
    public void Flush() => _journal.Flush(flushToDisk: true);

    /// <summary>
    /// Writes <paramref name="entries"/> as the new table (temporary file, flushed, renamed) and empties the journal.
    /// </summary>
    public void Compact(IEnumerable<PairEntry> entries)
    {
        _journal.Flush(flushToDisk: true);
        string tablePath = Path.Combine(_directory, TableFileName);
        string temporary = tablePath + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            file.Write(s_tableMagic);
            byte[] record = new byte[RecordSize];
            foreach (PairEntry entry in entries)
            {
                Encode(entry, record);
                file.Write(record);
            }
            file.Flush(flushToDisk: true);
        }
        File.Move(temporary, tablePath, overwrite: true);
        _journal.SetLength(s_journalMagic.Length);
        _journal.Position = s_journalMagic.Length;
        _journal.Flush(flushToDisk: true);
        JournalRecords = 0;
    }

    public void Dispose() => _journal.Dispose();

    private static void Encode(in PairEntry entry, Span<byte> record)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(record, entry.ImeiKey);
        BinaryPrimitives.WriteUInt64LittleEndian(record[8..], entry.Imsi);
        BinaryPrimitives.WriteUInt32LittleEndian(record[16..], entry.FirstSeen);
        BinaryPrimitives.WriteUInt32LittleEndian(record[20..], entry.LastSeen);
    }

    private static bool TryDecode(ReadOnlySpan<byte> record, out PairEntry entry)
    {
        ulong imeiKey = BinaryPrimitives.ReadUInt64LittleEndian(record);
        ulong imsi = BinaryPrimitives.ReadUInt64LittleEndian(record[8..]);
        entry = new PairEntry
        {
            ImeiPlusOne = imeiKey + 1, Imsi = imsi,
            FirstSeen = BinaryPrimitives.ReadUInt32LittleEndian(record[16..]),
            LastSeen = BinaryPrimitives.ReadUInt32LittleEndian(record[20..]),
        };
        // A zeroed or half-written tail fails here: no real pair has these.
        return imeiKey < Imei.KeyLimit && entry.PackedImsi is { IsNone: false, IsWellFormed: true }
            && entry.FirstSeen != 0 && entry.FirstSeen <= entry.LastSeen;
    }
}
