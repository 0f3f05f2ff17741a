using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ImeiEir.Core.Tac;

/// <summary>
/// A directory holding one TAC document (<see cref="TacFileWriter"/>'s format) under a versioned name,
/// <c>tac-&lt;number&gt;-&lt;hash&gt;.csv</c>: the number counts imports, the hash (16 hex digits of the content's
/// SHA-256) tells documents of two registries with the same number apart. The version <c>&lt;number&gt;-&lt;hash&gt;</c>
/// is the document's ETag. A save writes a temporary file, flushes it to disk and renames it, then removes the older
/// versions, so a crash leaves the old document or the new one, never half of one. The registry keeps the imported
/// database here; a node keeps the last one it fetched, to answer by it after a restart while the registry is away.
/// </summary>
public sealed class TacDirectory
{
    private const string Prefix = "tac-";
    private const string Suffix = ".csv";
    private static readonly Lock s_saving = new();

    public TacDirectory(string path) => Path = path ?? throw new ArgumentNullException(nameof(path));

    /// <summary>The directory.</summary>
    public string Path { get; }

    /// <summary>The current document's version and file, or null when there is none.</summary>
    public (string Version, long Number, string File)? Current()
    {
        if (!Directory.Exists(Path)) return null;
        (string Version, long Number, string File)? best = null;
        foreach (string file in Directory.EnumerateFiles(Path, Prefix + "*" + Suffix))
        {
            if (TryParseName(System.IO.Path.GetFileName(file), out long number, out string? version) && (best is null || number > best.Value.Number))
                best = (version!, number, file);
        }
        return best;
    }

    /// <summary>Saves <paramref name="entries"/> as the next version (the registry's import). Returns the version.</summary>
    public string SaveNext(IReadOnlyCollection<TacEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var text = new StringWriter(CultureInfo.InvariantCulture);
        TacFileWriter.Write(text, entries);
        byte[] content = Encoding.UTF8.GetBytes(text.ToString());
        lock (s_saving)
        {
            long number = (Current()?.Number ?? 0) + 1;
            string version = $"{number.ToString(CultureInfo.InvariantCulture)}-{Hash(content)}";
            Save(version, content);
            return version;
        }
    }

    /// <summary>Saves <paramref name="content"/> under <paramref name="version"/> (a node keeping what it fetched).</summary>
    /// <exception cref="ArgumentException">The version is not <c>&lt;number&gt;-&lt;16 hex digits&gt;</c>.</exception>
    public void Save(string version, ReadOnlySpan<byte> content)
    {
        if (!TryParseVersion(version, out _)) throw new ArgumentException($"'{version}' is not a TAC document version", nameof(version));
        Directory.CreateDirectory(Path);
        string target = System.IO.Path.Combine(Path, Prefix + version + Suffix);
        string temporary = target + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, target, overwrite: true);
        foreach (string file in Directory.EnumerateFiles(Path, Prefix + "*"))
        {
            if (file != target)
            {
                try { File.Delete(file); }
                catch (IOException) { } // an old version left behind is ignored: the highest number is current
            }
        }
    }

    /// <summary>The current document as a table, or null when there is none.</summary>
    /// <exception cref="InvalidDataException">The document does not parse (a damaged file).</exception>
    public TacTable? Load()
    {
        if (Current() is not { } current) return null;
        using var reader = new StreamReader(current.File, Encoding.UTF8);
        TacParseResult parsed = TacFileParser.Parse(reader);
        if (!parsed.Succeeded)
            throw new InvalidDataException($"{current.File}: {parsed.Errors[0]}");
        return TacTable.Build(current.Version, parsed.Entries);
    }

    /// <summary>True for <c>&lt;number&gt;-&lt;16 hex digits&gt;</c>.</summary>
    public static bool TryParseVersion(string? version, out long number)
    {
        number = 0;
        if (version is null) return false;
        int dash = version.IndexOf('-', StringComparison.Ordinal);
        if (dash <= 0 || version.Length - dash - 1 != 16) return false;
        foreach (char c in version.AsSpan(dash + 1))
            if (!char.IsAsciiHexDigitLower(c)) return false;
        return long.TryParse(version.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out number) && number > 0;
    }

    private static bool TryParseName(string name, out long number, out string? version)
    {
        version = null;
        number = 0;
        if (!name.StartsWith(Prefix, StringComparison.Ordinal) || !name.EndsWith(Suffix, StringComparison.Ordinal)) return false;
        version = name[Prefix.Length..^Suffix.Length];
        return TryParseVersion(version, out number);
    }

    private static string Hash(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content).AsSpan(0, 8));
}
