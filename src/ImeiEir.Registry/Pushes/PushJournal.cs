using System.Text;
using System.Text.Json;

namespace ImeiEir.Registry;

/// <summary>
/// The outcomes of recent admin pushes by their <c>Idempotency-Key</c>, so that a push retried after a lost
/// connection gets its original report and writes nothing. Kept in <c>directory/pushes.journal</c>, one JSON line
/// per push, appended and flushed to disk after the push's commit and before its answer, so it survives a restart.
/// Bounded: a key is kept for <see cref="Retention"/> and at most <see cref="MaxKeys"/> keys (the oldest go first);
/// a report over <see cref="MaxReportBytes"/> is kept as its summary without the per-line outcomes.
/// </summary>
/// <remarks>
/// The journal line is written after the change log's commit, so a registry that dies between the two forgets the
/// key: a retry then applies the batch again (the registry's lines are states, so the lines come back unchanged).
/// </remarks>
internal sealed class PushJournal : IDisposable
{
    public const string FileName = "pushes.journal";
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);
    public const int MaxKeys = 1024;
    public const int MaxReportBytes = 64 * 1024;

    private readonly string _path;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, PushRecord> _records = new(StringComparer.Ordinal);
    private readonly Queue<PushRecord> _order = new();
    private FileStream? _file;
    private int _linesInFile;

    /// <summary>Held across a keyed push's look-up, apply and record, so two pushes of one key never both apply.</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    private PushJournal(string path, TimeProvider time)
    {
        _path = path;
        _time = time;
    }

    /// <summary>Reads the journal in <paramref name="directory"/> (a torn last line is dropped) and rewrites it with only the live keys.</summary>
    public static PushJournal Open(string directory, TimeProvider time)
    {
        var journal = new PushJournal(Path.Combine(directory, FileName), time);
        if (File.Exists(journal._path))
        {
            foreach (string line in File.ReadLines(journal._path))
            {
                if (PushRecord.TryParse(line) is { } record) journal.Remember(record);
            }
        }
        journal.Expire();
        journal.Rewrite();
        return journal;
    }

    /// <summary>The outcome recorded for <paramref name="key"/>, if it is still kept.</summary>
    public PushRecord? Find(string key)
    {
        Expire();
        return _records.TryGetValue(key, out PushRecord? record) ? record : null;
    }

    /// <summary>Records a committed push's outcome and flushes it to disk (call under <see cref="Gate"/>).</summary>
    /// <exception cref="IOException">The journal could not be written (the push itself is committed).</exception>
    public void Record(string key, string bodyHash, byte[] report)
    {
        var record = new PushRecord(key, bodyHash, _time.GetUtcNow().ToUnixTimeMilliseconds(), Encoding.UTF8.GetString(report));
        Remember(record);
        // Appended while the file holds under twice the bound; then rewritten with only the live keys (amortised).
        if (_linesInFile >= 2 * MaxKeys || _file is null)
        {
            Expire();
            Rewrite();
            return;
        }
        byte[] line = Encoding.UTF8.GetBytes(record.ToLine() + "\n");
        _file.Write(line);
        _file.Flush(flushToDisk: true);
        _linesInFile++;
    }

    private void Remember(PushRecord record)
    {
        _records[record.Key] = record;
        _order.Enqueue(record);
        while (_order.Count > MaxKeys) Forget(_order.Dequeue());
    }

    private void Expire()
    {
        long oldest = (_time.GetUtcNow() - Retention).ToUnixTimeMilliseconds();
        while (_order.TryPeek(out PushRecord? first) && first.At < oldest) Forget(_order.Dequeue());
    }

    private void Forget(PushRecord record)
    {
        // A key recorded twice (not possible through the gate, but a hand-edited journal) keeps its newest record.
        if (_records.TryGetValue(record.Key, out PushRecord? kept) && ReferenceEquals(kept, record)) _records.Remove(record.Key);
    }

    /// <summary>Writes the live records to a new file and renames it over the journal, so a failure leaves the old one whole.</summary>
    private void Rewrite()
    {
        _file?.Dispose();
        _file = null;
        string temporary = _path + ".new";
        int written = 0;
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            foreach (PushRecord record in _order)
            {
                if (_records.TryGetValue(record.Key, out PushRecord? kept) && ReferenceEquals(kept, record))
                {
                    stream.Write(Encoding.UTF8.GetBytes(record.ToLine() + "\n"));
                    written++;
                }
            }
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, _path, overwrite: true);
        _file = new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.Read);
        _linesInFile = written;
    }

    public void Dispose()
    {
        _file?.Dispose();
        _file = null;
    }
}

/// <summary>One push's outcome: its key, the hash of what was sent, when, and the report it was answered with.</summary>
internal sealed record PushRecord(string Key, string BodyHash, long At, string Report)
{
    public string ToLine()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("key", Key);
            json.WriteString("hash", BodyHash);
            json.WriteNumber("at", At);
            json.WriteString("report", Report);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static PushRecord? TryParse(string line)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(line);
            JsonElement root = document.RootElement;
            return new PushRecord(root.GetProperty("key").GetString()!, root.GetProperty("hash").GetString()!,
                root.GetProperty("at").GetInt64(), root.GetProperty("report").GetString()!);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null; // a line torn by a crash mid-append: that push's key is forgotten, as if never recorded
        }
    }
}
