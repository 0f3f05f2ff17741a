namespace ImeiEir.Registry;

/// <summary>What <see cref="RegistryRecovery"/> opened: the log and the view, both at the log's last commit.</summary>
/// <param name="Log">The change log, scanned (its sequence index built).</param>
/// <param name="View">The view, holding every change of the log.</param>
/// <param name="LastSequence">The log's last committed change; 0 for an empty log.</param>
/// <param name="RecoveredSequence">The change the view's checkpoint was recovered at (0: none, damaged, or ahead of the log).</param>
/// <param name="Replayed">Changes replayed from the log into the view.</param>
/// <param name="Scanned">Log entries read at open (those after the persisted sequence index, or all without one).</param>
internal sealed record RecoveredRegistry(ChangeLog Log, RegistryView View, ulong LastSequence, ulong RecoveredSequence, ulong Replayed, ulong Scanned);
