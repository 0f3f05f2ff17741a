using ImeiEir.Core;

namespace ImeiEir.Registry;

/// <summary>One readable line of an operator's legacy dump: where it was, the IMEI, and when the network first saw it.</summary>
/// <param name="Line">1-based line number in the dump (a header, when present, is line 1).</param>
/// <param name="Imei">The IMEI.</param>
/// <param name="FirstSeenUnixSeconds">First seen in the network, Unix seconds UTC.</param>
public readonly record struct LegacyEntry(int Line, Imei Imei, long FirstSeenUnixSeconds);

/// <summary>A parsed legacy dump: its readable lines in order, and its bad lines with their reasons.</summary>
public sealed class LegacyDump
{
    public LegacyDump(IReadOnlyList<LegacyEntry> entries, IReadOnlyList<DeltaLineError> errors, int lineCount, string? failure)
    {
        Entries = entries;
        Errors = errors;
        LineCount = lineCount;
        Failure = failure;
    }

    public IReadOnlyList<LegacyEntry> Entries { get; }

    public IReadOnlyList<DeltaLineError> Errors { get; }

    /// <summary>Lines read, the header and blank lines included.</summary>
    public int LineCount { get; }

    /// <summary>Why the dump was refused as a whole (too many lines), or null.</summary>
    public string? Failure { get; }
}
