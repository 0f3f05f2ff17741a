namespace ImeiEir.Registry;

/// <summary>
/// A parsed delta: every valid line and every bad line, both in line order, or a <see cref="Failure"/> when the
/// body as a whole is unusable. Produced by <see cref="DeltaParser"/>; applied by the registry's write path
/// (<see cref="DeltaReport"/> says how each line went).
/// </summary>
public sealed class DeltaBatch
{
    internal DeltaBatch(IReadOnlyList<DeltaLine> lines, IReadOnlyList<DeltaLineError> errors, DeltaBatchFailure? failure)
    {
        Lines = lines;
        Errors = errors;
        Failure = failure;
    }

    /// <summary>The valid lines, in line order.</summary>
    public IReadOnlyList<DeltaLine> Lines { get; }

    /// <summary>Every bad line, in line order, one entry per line (several problems of a line joined by "; ").</summary>
    public IReadOnlyList<DeltaLineError> Errors { get; }

    /// <summary>Set when the body as a whole was refused; <see cref="Lines"/> and <see cref="Errors"/> are then empty.</summary>
    public DeltaBatchFailure? Failure { get; }

    /// <summary>Data lines judged: valid plus bad.</summary>
    public int LineCount => Lines.Count + Errors.Count;

    /// <summary>A batch of already-validated lines (tests, programmatic callers). Same-IMEI checks are the caller's.</summary>
    public static DeltaBatch FromLines(IEnumerable<DeltaLine> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var list = lines.ToList();
        list.Sort((a, b) => a.Line.CompareTo(b.Line));
        return new DeltaBatch(list, [], null);
    }

    internal static DeltaBatch Failed(DeltaFailureKind kind, string detail) => new([], [], new DeltaBatchFailure(kind, detail));
}
