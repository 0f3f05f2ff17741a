using System.Diagnostics.CodeAnalysis;
using System.Text;
using ImeiEir.Notify.Notices;
using ImeiEir.Notify.Storage;

namespace ImeiEir.Notify.Subscribers;

/// <summary>
/// The operator's subscriber directory: IMSI → MSISDN, IIN, language. Imported from CSV (<see cref="SubscriberCsv"/>)
/// with <c>eirctl subscribers import FILE</c>; an import adds new IMSIs and replaces existing ones, and is atomic (one
/// bad line and nothing changes). Durable: every import rewrites <c>subscribers.csv</c> in the data directory (temporary
/// file, fsync, rename), which is read back at start. Lookups are lock-free on an immutable snapshot; imports are
/// serialised and swap in a new one (copy-on-write: an import of a 10-million-subscriber directory briefly holds two).
/// </summary>
public sealed class SubscriberDirectory
{
    public const string FileName = "subscribers.csv";

    private readonly string _path;
    private readonly SemaphoreSlim _importGate = new(1, 1);
    private volatile Dictionary<ulong, Packed> _entries;
    private long _version;

    private SubscriberDirectory(string path, Dictionary<ulong, Packed> entries)
    {
        _path = path;
        _entries = entries;
    }

    /// <summary>Raised after an import changed the directory (and its parked notices were released).</summary>
    public event Action? Changed;

    /// <summary>
    /// Set by the outbox over this directory: releases the notices parked for subscribers that are now known and
    /// returns how many. Called inside the import, so an import's report says exactly what it released.
    /// </summary>
    internal Func<int>? ReleaseParked { get; set; }

    /// <summary>Set by the notifier: why a template set name cannot be given to a subscriber, or null when it can.</summary>
    internal Func<string, string?>? TemplateSetProblem { get; set; }

    /// <summary>Subscribers in the directory.</summary>
    public int Count => _entries.Count;

    /// <summary>Grows by one with every import that changed something.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>Opens the directory kept in <paramref name="dataDirectory"/> (created when missing).</summary>
    public static async Task<SubscriberDirectory> OpenAsync(string dataDirectory, CancellationToken ct = default)
    {
        Directory.CreateDirectory(dataDirectory);
        string path = Path.Combine(dataDirectory, FileName);
        var entries = new Dictionary<ulong, Packed>();
        if (File.Exists(path))
        {
            Storage.PrivateFile.Tighten(path); // IMSIs, MSISDNs and IINs: 0600 also when found wider
            using var reader = new StreamReader(path, Encoding.UTF8);
            var (parsed, errors) = await SubscriberCsv.ParseAsync(reader, ct);
            if (errors.Count > 0)
                throw new InvalidDataException($"{path}:{errors[0].Line}: {errors[0].Reason} (the directory file is written by imports; restore it or import again)");
            entries.EnsureCapacity(parsed.Count);
            foreach ((_, SubscriberCsv.Entry e) in parsed) entries[e.Imsi] = new Packed(e.Msisdn, e.Iin, e.Language, e.Set);
        }
        return new SubscriberDirectory(path, entries);
    }

    /// <summary>The directory file as of now, between imports (a backup); null before the first import.</summary>
    internal byte[]? CopyFile()
    {
        _importGate.Wait();
        try
        {
            return File.Exists(_path) ? File.ReadAllBytes(_path) : null;
        }
        finally
        {
            _importGate.Release();
        }
    }

    /// <summary>The subscriber of <paramref name="imsi"/>, when the directory has one.</summary>
    public bool TryGet(string imsi, [MaybeNullWhen(false)] out Subscriber subscriber)
    {
        if (DigitString.TryPack(imsi, 5, 15, out ulong key) && _entries.TryGetValue(key, out Packed packed))
        {
            subscriber = new Subscriber(imsi, DigitString.Unpack(packed.Msisdn), DigitString.Unpack(packed.Iin), packed.Language, packed.Set);
            return true;
        }
        subscriber = null;
        return false;
    }

    /// <summary>
    /// Reads a CSV import to the end; when every line is good, adds and replaces its subscribers, writes the
    /// directory file and releases the notices parked for them before returning. With any bad line nothing changes and
    /// the report lists them all.
    /// </summary>
    public async Task<SubscriberImportReport> ImportAsync(TextReader reader, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var (parsed, errors) = await SubscriberCsv.ParseAsync(reader, ct);
        if (TemplateSetProblem is { } setProblem)
        {
            foreach ((int line, SubscriberCsv.Entry e) in parsed)
            {
                if (e.Set is not null && setProblem(e.Set) is string problem) errors.Add(new SubscriberImportError(line, problem));
            }
            errors.Sort((a, b) => a.Line.CompareTo(b.Line));
        }
        if (errors.Count > 0)
            return new SubscriberImportReport(false, 0, 0, 0, errors) { Total = Count };

        await _importGate.WaitAsync(ct);
        try
        {
            Dictionary<ulong, Packed> current = _entries;
            int added = 0, replaced = 0, unchanged = 0;
            foreach ((_, SubscriberCsv.Entry e) in parsed)
            {
                if (!current.TryGetValue(e.Imsi, out Packed old)) added++;
                else if (old == new Packed(e.Msisdn, e.Iin, e.Language, e.Set)) unchanged++;
                else replaced++;
            }
            if (added + replaced == 0)
                return new SubscriberImportReport(true, 0, 0, unchanged, []) { Total = current.Count };

            var next = new Dictionary<ulong, Packed>(current);
            foreach ((_, SubscriberCsv.Entry e) in parsed) next[e.Imsi] = new Packed(e.Msisdn, e.Iin, e.Language, e.Set);
            // Durable before visible: a notice released to a subscriber that a crash would forget is harmless, but an
            // import acknowledged and then lost is not.
            await DurableFile.ReplaceAsync(_path, stream => WriteAsync(stream, next));
            _entries = next;
            Interlocked.Increment(ref _version);
            int released = ReleaseParked?.Invoke() ?? 0;
            Changed?.Invoke();
            return new SubscriberImportReport(true, added, replaced, unchanged, []) { Total = next.Count, Released = released };
        }
        finally
        {
            _importGate.Release();
        }
    }

    private static async Task WriteAsync(Stream stream, Dictionary<ulong, Packed> entries)
    {
        await using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
        await writer.WriteLineAsync("# ImeiEir subscriber directory, written by imports (eirctl subscribers import); same format as an import");
        // The set column only when used: a directory without sets stays the file earlier versions read.
        await writer.WriteLineAsync(entries.Values.Any(p => p.Set is not null) ? SubscriberCsv.HeaderWithSet : SubscriberCsv.Header);
        foreach ((ulong imsi, Packed p) in entries)
            await writer.WriteLineAsync(SubscriberCsv.Format(new SubscriberCsv.Entry(imsi, p.Msisdn, p.Iin, p.Language, p.Set)));
    }

    private readonly record struct Packed(ulong Msisdn, ulong Iin, NoticeLanguage Language, string? Set);
}
