using ImeiEir.Core;

namespace ImeiEir.Registry;

/// <summary>What a delta line asks for.</summary>
public enum DeltaOp : byte
{
    /// <summary>Put the IMEI on a list with a reason (and a deadline for grey).</summary>
    Set = 1,

    /// <summary>Take the IMEI off every list (a tombstone change).</summary>
    Remove = 2,

    /// <summary>A service centre swapped the module: the old IMEI turns black, the new one white (two changes).</summary>
    Replace = 3,
}

/// <summary>One validated delta line.</summary>
/// <param name="Line">1-based line number in the body (the header is line 1 in CSV).</param>
/// <param name="Op">The operation.</param>
/// <param name="Imei">The IMEI the line is about (for a replace, the old one).</param>
/// <param name="List">Set: the list; otherwise <see cref="ListKind.None"/>.</param>
/// <param name="Reason">Set: the reason; remove: the reason recorded in the tombstone (default admin); replace: service-replacement.</param>
/// <param name="DeadlineUnixSeconds">Set on grey: the deadline, Unix seconds UTC; otherwise 0.</param>
/// <param name="NewImei">Replace: the new IMEI; otherwise default.</param>
public readonly record struct DeltaLine(int Line, DeltaOp Op, Imei Imei, ListKind List, Reason Reason, uint DeadlineUnixSeconds, Imei NewImei);

/// <summary>A bad delta line: where (1-based line number) and why, in plain English.</summary>
public sealed record DeltaLineError(int Line, string Reason)
{
    public override string ToString() => $"line {Line}: {Reason}";
}

/// <summary>Why a whole delta body was refused before any line could be judged.</summary>
public enum DeltaFailureKind : byte
{
    /// <summary>No header or no data lines (HTTP 400).</summary>
    Empty = 1,

    /// <summary>Not UTF-8 text: invalid UTF-8 or control bytes, i.e. binary data (HTTP 400).</summary>
    NotText = 2,

    /// <summary>The CSV header names an unknown column, repeats one, or lacks imei (HTTP 400).</summary>
    BadHeader = 3,

    /// <summary>More data lines than allowed (HTTP 413).</summary>
    TooManyLines = 4,

    /// <summary>More bytes than allowed (HTTP 413).</summary>
    TooLarge = 5,
}

/// <summary>A whole-body problem: the kind (which picks the HTTP status) and a sentence for the admin.</summary>
public sealed record DeltaBatchFailure(DeltaFailureKind Kind, string Detail);

/// <summary>
/// A parsed delta: every valid line and every bad line, both in line order, or a <see cref="Failure"/> when the
/// body as a whole is unusable. Produced by <see cref="DeltaParser"/>; applied by <see cref="RegistryService.ApplyAsync"/>.
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

/// <summary>How one delta line went.</summary>
public enum DeltaOutcome : byte
{
    /// <summary>Appended to the log: <see cref="DeltaLineOutcome.Sequence"/> is its change number.</summary>
    Applied = 1,

    /// <summary>The record already had that list, reason and deadline: nothing appended.</summary>
    Unchanged = 2,

    /// <summary>A bad line; see <see cref="DeltaLineOutcome.Reason"/>.</summary>
    Rejected = 3,
}

/// <summary>The outcome of one delta line.</summary>
/// <param name="Line">1-based line number.</param>
/// <param name="Outcome">Applied, unchanged or rejected.</param>
/// <param name="Imei">The IMEI of the line when it was valid; null for a bad line.</param>
/// <param name="Sequence">Applied: the change number (a replace: the old IMEI's change); otherwise 0.</param>
/// <param name="NewImeiSequence">Applied replace: the new IMEI's change number (Sequence + 1); otherwise 0.</param>
/// <param name="Reason">Rejected: why; otherwise null.</param>
public readonly record struct DeltaLineOutcome(int Line, DeltaOutcome Outcome, Imei? Imei, ulong Sequence, ulong NewImeiSequence, string? Reason);

/// <summary>What <see cref="RegistryService.ApplyAsync"/> did with a batch.</summary>
public sealed class DeltaReport
{
    internal DeltaReport(bool accepted, IReadOnlyList<DeltaLineOutcome> lines, int applied, int unchanged, int rejected,
        ulong firstSequence, ulong lastSequence)
    {
        Accepted = accepted;
        Lines = lines;
        Applied = applied;
        Unchanged = unchanged;
        Rejected = rejected;
        FirstSequence = firstSequence;
        LastSequence = lastSequence;
    }

    /// <summary>
    /// False when an atomic batch was refused because of bad lines: nothing was appended, and <see cref="Lines"/>
    /// holds only the bad lines (each <see cref="DeltaOutcome.Rejected"/> with its reason).
    /// </summary>
    public bool Accepted { get; }

    /// <summary>One outcome per data line, in line order (a refused batch: one per bad line).</summary>
    public IReadOnlyList<DeltaLineOutcome> Lines { get; }

    /// <summary>Lines appended to the log.</summary>
    public int Applied { get; }

    /// <summary>Lines that were already so.</summary>
    public int Unchanged { get; }

    /// <summary>Bad lines.</summary>
    public int Rejected { get; }

    /// <summary>First change number this batch assigned; 0 when it appended nothing.</summary>
    public ulong FirstSequence { get; }

    /// <summary>Last change number this batch assigned (durable when the report is returned); 0 when it appended nothing.</summary>
    public ulong LastSequence { get; }

    /// <summary>The bad lines, in line order.</summary>
    public IEnumerable<DeltaLineOutcome> Errors => Lines.Where(l => l.Outcome == DeltaOutcome.Rejected);
}
