namespace ImeiEir.Registry;

/// <summary>What the registry did with a <see cref="DeltaBatch"/>: the batch's fate and one outcome per line.</summary>
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
