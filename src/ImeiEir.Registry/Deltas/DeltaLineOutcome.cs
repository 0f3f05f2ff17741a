using ImeiEir.Core;

namespace ImeiEir.Registry;

/// <summary>The outcome of one delta line.</summary>
/// <param name="Line">1-based line number.</param>
/// <param name="Outcome">Applied, unchanged or rejected.</param>
/// <param name="Imei">The IMEI of the line when it was valid; null for a bad line.</param>
/// <param name="Sequence">Applied: the change number (a replace: the old IMEI's change); otherwise 0.</param>
/// <param name="NewImeiSequence">Applied replace: the new IMEI's change number (Sequence + 1); otherwise 0.</param>
/// <param name="Reason">Rejected: why; otherwise null.</param>
public readonly record struct DeltaLineOutcome(int Line, DeltaOutcome Outcome, Imei? Imei, ulong Sequence, ulong NewImeiSequence, string? Reason);
