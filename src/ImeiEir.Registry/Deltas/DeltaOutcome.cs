namespace ImeiEir.Registry;

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
