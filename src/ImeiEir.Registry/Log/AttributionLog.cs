using System.Buffers.Binary;
using System.Text;

namespace ImeiEir.Registry;

/// <summary>
/// Who made each change (<see cref="Attribution"/>), kept beside the change log rather than in it: log entries and
/// the feed keep their fixed 48- and 40-byte forms (the sequence index relies on the size), logs written before
/// this file existed stay readable as they are, and one record covers a whole write batch.
/// <code>
/// directory/attribution
///  header   8 "IMEIATTR"  4 u32 version (1)
///  record   8 u64 first  8 u64 last  1 u8 actor length  2 u16 comment length  actor UTF-8  comment UTF-8
/// </code>
/// All little-endian. A record is written and flushed to disk before its batch's log commit, so every committed
/// change has its record; a record past the log's last change (its commit never happened) is ignored at open, one cut
/// short by a crash is cut off, and a later record for the same numbers (a batch retried after a failed commit)
/// replaces an earlier one. Changes without a record show <see cref="Attribution.Unrecorded"/>. Kept in memory as one entry
/// per batch with actor and comment strings shared, so lookups by history never touch the disk.
/// </summary>
internal sealed class AttributionLog : IDisposable
{
    public const string FileName = "attribution";
    public const int Version = 1;
    public const int HeaderSize = 12;
    private const int FixedRecordSize = 19;

    private static ReadOnlySpan<byte> Magic => "IMEIATTR"u8;

    private readonly string _path;
    private FileStream _file;
    private readonly object _lock = new();
    private readonly List<(ulong First, ulong Last, int Id)> _batches = [];
    private int _stale; // records still in the file for changes the log no longer holds
    private readonly List<Attribution> _distinct = [];
    private readonly Dictionary<Attribution, int> _ids = [];

    private AttributionLog(string path, FileStream file)
    {
        _path = path;
        _file = file;
    }

    /// <summary>Opens (or creates) the file in <paramref name="directory"/>, dropping records past <paramref name="lastSequence"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not an attribution file.</exception>
    public static AttributionLog Open(string directory, ulong lastSequence)
    {
        string path = Path.Combine(directory, FileName);
        var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        var log = new AttributionLog(path, file);
        try
        {
            byte[] bytes = new byte[file.Length];
            file.ReadExactly(bytes);
            if (bytes.Length < HeaderSize)
            {
                Span<byte> header = stackalloc byte[HeaderSize];
                Magic.CopyTo(header);
                BinaryPrimitives.WriteUInt32LittleEndian(header[8..], Version);
                file.SetLength(0);
                file.Write(header);
                file.Flush(flushToDisk: true);
                return log;
            }
            if (!bytes.AsSpan(0, 8).SequenceEqual(Magic) || BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)) != Version)
                throw new InvalidDataException($"{path} is not an attribution file (no IMEIATTR version-{Version} header)");
            int offset = HeaderSize;
            while (TryDecode(bytes.AsSpan(offset), out ulong first, out ulong last, out Attribution attribution, out int size)
                   && first <= last && first > 0)
            {
                log.Remember(first, last, attribution);
                offset += size;
            }
            // Past the log's end: a batch whose commit never happened (a later batch reusing its numbers replaces
            // it, in memory at once and at every open, since the later record wins).
            while (log._batches.Count > 0 && log._batches[^1].Last > lastSequence) log._batches.RemoveAt(log._batches.Count - 1);
            file.SetLength(offset);
            file.Position = offset;
            return log;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Records that changes <paramref name="first"/>..<paramref name="last"/> are <paramref name="attribution"/>'s, durably.</summary>
    public void Append(ulong first, ulong last, Attribution attribution)
    {
        byte[] record = Encode(first, last, attribution);
        lock (_lock)
        {
            long end = _file.Position;
            try
            {
                _file.Write(record);
                _file.Flush(flushToDisk: true);
            }
            catch
            {
                // A torn record (a full disk) must not make every later one unreadable: cut back to the last whole
                // one, best effort; a write that retries after space is freed then appends after it.
                try
                {
                    _file.SetLength(end);
                    _file.Position = end;
                }
                catch (IOException)
                {
                }
                throw;
            }
            Remember(first, last, attribution);
        }
    }

    /// <summary>Who made change <paramref name="sequence"/>, or null when no record covers it.</summary>
    public Attribution? Find(ulong sequence)
    {
        lock (_lock)
        {
            int low = 0, high = _batches.Count - 1;
            while (low <= high)
            {
                int middle = (low + high) >>> 1;
                (ulong first, ulong last, int id) = _batches[middle];
                if (sequence < first) high = middle - 1;
                else if (sequence > last) low = middle + 1;
                else return _distinct[id];
            }
            return null;
        }
    }

    /// <summary>
    /// Forgets the records wholly before change <paramref name="first"/> (the log was truncated there). The file is
    /// rewritten without them once they are at least half of it (so each record is rewritten a bounded number of
    /// times, however often the log is truncated), beside and renamed over the old one: a crash leaves one or the
    /// other, both valid. Records kept in the file for changes the log no longer holds are never asked for.
    /// </summary>
    public void DropBefore(ulong first)
    {
        lock (_lock)
        {
            int drop = 0;
            while (drop < _batches.Count && _batches[drop].Last < first) drop++;
            if (drop == 0) return;
            _batches.RemoveRange(0, drop);
            _stale += drop;
            if (_stale < _batches.Count) return;
            string temporary = _path + ".tmp";
            using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write))
            {
                Span<byte> header = stackalloc byte[HeaderSize];
                Magic.CopyTo(header);
                BinaryPrimitives.WriteUInt32LittleEndian(header[8..], Version);
                file.Write(header);
                foreach ((ulong from, ulong to, int id) in _batches) file.Write(Encode(from, to, _distinct[id]));
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, _path, overwrite: true);
            _file.Dispose();
            _file = new FileStream(_path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
            _file.Position = _file.Length;
            _stale = 0;
        }
    }

    /// <summary>Every record up to change <paramref name="sequence"/>, encoded, in order (a backup's attribution section).</summary>
    public byte[] EncodeUpto(ulong sequence)
    {
        var bytes = new MemoryStream();
        lock (_lock)
        {
            foreach ((ulong first, ulong last, int id) in _batches)
            {
                if (last > sequence) break;
                bytes.Write(Encode(first, last, _distinct[id]));
            }
        }
        return bytes.ToArray();
    }

    /// <summary>
    /// Writes a new attribution file in <paramref name="directory"/> holding <paramref name="records"/> (a backup's
    /// section), checked record by record against the restored log's <paramref name="lastSequence"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">The records are cut or cover changes the log lacks.</exception>
    public static void Restore(string directory, ReadOnlySpan<byte> records, ulong lastSequence, string source)
    {
        ulong next = 1;
        for (int offset = 0; offset < records.Length;)
        {
            if (!TryDecode(records[offset..], out ulong first, out ulong last, out _, out int size) || first < next || first > last || last > lastSequence)
                throw new InvalidDataException($"{source} is damaged: its attribution records are cut or out of order at byte {offset} of their section");
            next = last + 1;
            offset += size;
        }
        using var file = new FileStream(Path.Combine(directory, FileName), FileMode.Create, FileAccess.Write);
        Span<byte> header = stackalloc byte[HeaderSize];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], Version);
        file.Write(header);
        file.Write(records);
        file.Flush(flushToDisk: true);
    }

    /// <summary>The record's bytes (see the class remarks); the actor is cut to <see cref="Attribution.MaxActorBytes"/>.</summary>
    public static byte[] Encode(ulong first, ulong last, Attribution attribution)
    {
        byte[] actor = Encoding.UTF8.GetBytes(attribution.Actor);
        if (actor.Length > Attribution.MaxActorBytes) actor = Encoding.UTF8.GetBytes(Cut(attribution.Actor, Attribution.MaxActorBytes));
        byte[] comment = attribution.Comment is null ? [] : Encoding.UTF8.GetBytes(attribution.Comment);
        if (comment.Length > ushort.MaxValue) comment = Encoding.UTF8.GetBytes(Cut(attribution.Comment!, ushort.MaxValue));
        var record = new byte[FixedRecordSize + actor.Length + comment.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(record, first);
        BinaryPrimitives.WriteUInt64LittleEndian(record.AsSpan(8), last);
        record[16] = (byte)actor.Length;
        BinaryPrimitives.WriteUInt16LittleEndian(record.AsSpan(17), (ushort)comment.Length);
        actor.CopyTo(record, FixedRecordSize);
        comment.CopyTo(record, FixedRecordSize + actor.Length);
        return record;
    }

    /// <summary>Decodes one record; false when <paramref name="source"/> holds less than a whole one.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> source, out ulong first, out ulong last, out Attribution attribution, out int size)
    {
        first = last = 0;
        attribution = default;
        size = 0;
        if (source.Length < FixedRecordSize) return false;
        int actorLength = source[16];
        int commentLength = BinaryPrimitives.ReadUInt16LittleEndian(source[17..]);
        size = FixedRecordSize + actorLength + commentLength;
        if (source.Length < size) return false;
        first = BinaryPrimitives.ReadUInt64LittleEndian(source);
        last = BinaryPrimitives.ReadUInt64LittleEndian(source[8..]);
        string actor = Encoding.UTF8.GetString(source.Slice(FixedRecordSize, actorLength));
        // An empty comment is stored for "none": a push's comment is never empty (the endpoint drops blank ones).
        string? comment = commentLength == 0 ? null : Encoding.UTF8.GetString(source.Slice(FixedRecordSize + actorLength, commentLength));
        attribution = new Attribution(actor, comment);
        return true;
    }

    private void Remember(ulong first, ulong last, Attribution attribution)
    {
        // A batch whose commit failed left a record for numbers the next batch reuses: the later record wins.
        while (_batches.Count > 0 && _batches[^1].Last >= first) _batches.RemoveAt(_batches.Count - 1);
        if (!_ids.TryGetValue(attribution, out int id))
        {
            id = _distinct.Count;
            _distinct.Add(attribution);
            _ids.Add(attribution, id);
        }
        _batches.Add((first, last, id));
    }

    private static string Cut(string text, int maxBytes)
    {
        while (Encoding.UTF8.GetByteCount(text) > maxBytes) text = text[..^1];
        return text;
    }

    public void Dispose()
    {
        lock (_lock) _file.Dispose();
    }
}
