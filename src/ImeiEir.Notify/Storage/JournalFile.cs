using System.Buffers.Binary;

namespace ImeiEir.Notify.Storage;

/// <summary>
/// An append-only file of CRC-checked records: the outbox's durable state.
/// <code>
///   file    ┌──────────────────────────┬──────────┬──────────┬─────
///           │ magic "IEIROBX1" (8 B)   │ record   │ record   │ ...
///           └──────────────────────────┴──────────┴──────────┴─────
///   record  ┌───────────────┬───────────────┬───────────────────────┐
///           │ length u32 LE │ CRC-32C u32 LE│ payload (length bytes)│   CRC over the payload; 1 ≤ length ≤ 64 KiB
///           └───────────────┴───────────────┴───────────────────────┘
/// </code>
/// A crash can leave a torn last record (a short write, or a length whose payload never arrived). Opening reads up to
/// the first record that is short or fails its CRC and truncates the file there, so the next append follows the last
/// good record. Records written with <see cref="Flush"/> returning are on disk (fsync) and never lost; only a record
/// that was being written when the process died can be. A damaged region longer than one record (not a torn write,
/// but a damaged disk) is copied aside as <c>&lt;file&gt;.damaged-&lt;unix ms&gt;</c> before truncating, for a human to look at.
/// </summary>
internal sealed class JournalFile : IDisposable
{
    public const int MaxPayload = 64 * 1024;
    private const int FrameHeader = 8;
    private static readonly byte[] s_outboxMagic = "IEIROBX1"u8.ToArray();

    private readonly string _path;
    private readonly byte[] _magic;
    private FileStream _stream;
    private long _end;
    private long _synced;
    private long _syncedRecords;

    private JournalFile(string path, byte[] magic, FileStream stream, long end, long records)
    {
        _path = path;
        _magic = magic;
        _stream = stream;
        _end = _synced = end;
        RecordCount = _syncedRecords = records;
    }

    /// <summary>Records in the file (read at open plus appended since).</summary>
    public long RecordCount { get; private set; }

    /// <summary>Bytes in the file.</summary>
    public long Length => _end;

    /// <summary>
    /// Opens or creates the journal, hands every good record to <paramref name="onRecord"/> in order, and cuts a torn
    /// tail. <paramref name="discardedBytes"/> is how much was cut (0 after a clean stop).
    /// </summary>
    public static JournalFile Open(string path, Action<ReadOnlySpan<byte>> onRecord, out long discardedBytes, long nowUnixMs) =>
        Open(path, s_outboxMagic, onRecord, out discardedBytes, nowUnixMs);

    /// <summary>As <see cref="Open(string, Action{ReadOnlySpan{byte}}, out long, long)"/> for a journal of another kind, told apart by its 8-byte magic.</summary>
    public static JournalFile Open(string path, byte[] magic, Action<ReadOnlySpan<byte>> onRecord, out long discardedBytes, long nowUnixMs)
    {
        if (magic.Length != 8) throw new ArgumentException("a journal magic is 8 bytes", nameof(magic));

        var stream = new FileStream(path, PrivateFile.Create(new FileStreamOptions
        {
            // FileShare.None takes an exclusive lock (flock on Unix): a second notifier on the same outbox fails to
            // open instead of interleaving records and sending every notice twice.
            Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None, BufferSize = 0,
        }));
        try
        {
            PrivateFile.Tighten(stream.SafeFileHandle); // journals hold IMSIs and MSISDNs: 0600 also when found wider
            discardedBytes = 0;
            long length = stream.Length;
            if (length < magic.Length)
            {
                // New, or torn while its header was being written: nothing in it can be a record.
                discardedBytes = length;
                stream.SetLength(0);
                stream.Write(magic);
                stream.Flush(flushToDisk: true);
                DurableFile.SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
                return new JournalFile(path, magic, stream, magic.Length, 0);
            }

            Span<byte> head = stackalloc byte[8];
            stream.ReadExactly(head);
            if (!head.SequenceEqual(magic))
                throw new InvalidDataException($"{path} is not the journal expected here (it does not start with {System.Text.Encoding.ASCII.GetString(magic)}); move it away rather than have it overwritten");

            long good = magic.Length;
            long count = 0;
            byte[] payload = new byte[MaxPayload];
            Span<byte> header = stackalloc byte[FrameHeader];
            // Not disposed: disposing a BufferedStream closes the file under it. The position is set explicitly below.
            var reader = new BufferedStream(stream, 1 << 16);
            {
                while (length - good >= FrameHeader)
                {
                    reader.ReadExactly(header);
                    uint size = BinaryPrimitives.ReadUInt32LittleEndian(header);
                    uint crc = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
                    if (size is 0 or > MaxPayload || size > length - good - FrameHeader) break;
                    Span<byte> body = payload.AsSpan(0, (int)size);
                    reader.ReadExactly(body);
                    if (Crc32C.Compute(body) != crc) break;
                    onRecord(body);
                    good += FrameHeader + size;
                    count++;
                }
            }

            if (good < length)
            {
                discardedBytes = length - good;
                if (discardedBytes > FrameHeader + MaxPayload) CopyAside(stream, path, good, nowUnixMs);
                stream.SetLength(good);
                stream.Flush(flushToDisk: true);
            }
            stream.Position = good;
            return new JournalFile(path, magic, stream, good, count);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Writes a record (not yet durable: call <see cref="Flush"/>).</summary>
    public void Append(ReadOnlySpan<byte> payload)
    {
        if (payload.Length is 0 or > MaxPayload) throw new ArgumentOutOfRangeException(nameof(payload), payload.Length, $"a record is 1 to {MaxPayload} bytes");
        byte[] frame = new byte[FrameHeader + payload.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(frame, (uint)payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(4), Crc32C.Compute(payload));
        payload.CopyTo(frame.AsSpan(FrameHeader));
        try
        {
            _stream.Write(frame);
        }
        catch
        {
            Rollback();
            throw;
        }
        _end += frame.Length;
        RecordCount++;
    }

    /// <summary>Makes every appended record durable (fsync). On failure the unsynced records are cut off again and it throws.</summary>
    public void Flush()
    {
        try
        {
            _stream.Flush(flushToDisk: true);
        }
        catch
        {
            Rollback();
            throw;
        }
        _synced = _end;
        _syncedRecords = RecordCount;
    }

    /// <summary>
    /// Replaces the whole journal with <paramref name="payloads"/> (compaction: the last record of every notice),
    /// crash-safely: a new file is written and synced, then renamed over the old one.
    /// </summary>
    public void Rewrite(IEnumerable<byte[]> payloads)
    {
        string temporary = _path + ".compact";
        long count = 0;
        using (var output = new FileStream(temporary, PrivateFile.Create(new FileStreamOptions
        {
            Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 1 << 16,
        })))
        {
            PrivateFile.Tighten(output.SafeFileHandle); // before the rename; a leftover keeps its mode
            output.Write(_magic);
            Span<byte> header = stackalloc byte[FrameHeader];
            foreach (byte[] payload in payloads)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)payload.Length);
                BinaryPrimitives.WriteUInt32LittleEndian(header[4..], Crc32C.Compute(payload));
                output.Write(header);
                output.Write(payload);
                count++;
            }
            output.Flush(flushToDisk: true);
        }
        _stream.Dispose();
        File.Move(temporary, _path, overwrite: true);
        DurableFile.SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(_path))!);
        _stream = new FileStream(_path, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.ReadWrite, Share = FileShare.None, BufferSize = 0 });
        _end = _synced = _stream.Length;
        _stream.Position = _end;
        RecordCount = _syncedRecords = count;
    }

    /// <summary>
    /// A copy of the file up to its last durable record (what <see cref="Flush"/> made durable): a journal that opens
    /// to the same records. The owner calls it under the lock its appends take, so no record is half-copied.
    /// </summary>
    public byte[] CopyDurable()
    {
        var copy = new byte[_synced];
        long position = _stream.Position;
        try
        {
            _stream.Position = 0;
            _stream.ReadExactly(copy);
        }
        finally
        {
            _stream.Position = position;
        }
        return copy;
    }

    public void Dispose() => _stream.Dispose();

    // A failed write or fsync may have left part of a frame: cut back to the last synced end so that the next
    // append does not follow garbage (which would hide it, and everything after it, from the next open).
    private void Rollback()
    {
        try
        {
            _stream.SetLength(_synced);
            _stream.Position = _synced;
            _end = _synced;
            RecordCount = _syncedRecords;
        }
        catch (IOException)
        {
            // the disk is failing: the next open truncates at the first bad record instead
        }
    }

    private static void CopyAside(FileStream stream, string path, long from, long nowUnixMs)
    {
        stream.Position = from;
        using var copy = new FileStream($"{path}.damaged-{nowUnixMs}", PrivateFile.Create(new FileStreamOptions
        {
            Mode = FileMode.CreateNew, Access = FileAccess.Write,
        }));
        stream.CopyTo(copy);
        copy.Flush(flushToDisk: true);
    }
}
