namespace ImeiEir.Core.Tac;

/// <summary>
/// What <see cref="TacFileParser"/> made of a file: the entries when every line was good, else the bad lines (the
/// first <see cref="TacFileParser.MaxReportedErrors"/> of them, and how many there were). An import takes all or
/// nothing, so a file with one bad line gives no entries.
/// </summary>
public sealed class TacParseResult
{
    internal TacParseResult(IReadOnlyList<TacEntry> entries, IReadOnlyList<TacLineError> errors, long errorCount, long lines)
    {
        Entries = entries;
        Errors = errors;
        ErrorCount = errorCount;
        Lines = lines;
    }

    /// <summary>The entries, in file order; empty when <see cref="Succeeded"/> is false.</summary>
    public IReadOnlyList<TacEntry> Entries { get; }

    /// <summary>The first bad lines, in file order.</summary>
    public IReadOnlyList<TacLineError> Errors { get; }

    /// <summary>How many lines were bad (at least <see cref="Errors"/>.Count).</summary>
    public long ErrorCount { get; }

    /// <summary>Lines read, the header included.</summary>
    public long Lines { get; }

    /// <summary>True when the file had a header and no bad line.</summary>
    public bool Succeeded => ErrorCount == 0;
}
