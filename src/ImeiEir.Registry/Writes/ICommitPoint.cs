using ImeiEir.Registry.JetStream;

namespace ImeiEir.Registry;

/// <summary>
/// Where a planned batch becomes committed (docs/ARCHITECTURE.md, "A registry on several machines"): the local change
/// log itself (<see cref="LocalCommitPoint"/>, one registry process), or a replicated log several registry processes
/// share (<see cref="JetStreamCommitPoint"/>). The <see cref="RegistryWriter"/> asks it first, and only once it has
/// committed appends the batch to the local log, which is then a replica that serves the feed, history and backups.
/// </summary>
internal interface ICommitPoint
{
    /// <summary>
    /// Commits <paramref name="batch"/> (sequences from the writer's last + 1): <see cref="AppendOutcome.Appended"/>, or
    /// <see cref="AppendOutcome.LostRace"/> when another writer got there first (the batch's first
    /// <see cref="AppendResult.Written"/> changes are in, the rest not): the caller catches up to
    /// <see cref="AppendResult.StreamLastSequence"/> (<see cref="ReadAsync"/>) and plans the batch again.
    /// </summary>
    /// <param name="batch">The changes.</param>
    /// <param name="by">Who wrote them: carried with them, so the other registry processes record the same.</param>
    /// <param name="ct">Cancels the commit (its outcome is then not known).</param>
    /// <exception cref="ChangeStreamUnavailableException">The outcome is not known; committing again is safe.</exception>
    Task<AppendResult> CommitAsync(IReadOnlyList<LoggedChange> batch, Attribution by, CancellationToken ct);

    /// <summary>The last committed sequence (another writer's changes included); 0 when the local log is the commit point.</summary>
    Task<ulong> LastSequenceAsync(CancellationToken ct);

    /// <summary>Committed changes <paramref name="from"/> .. <paramref name="through"/>, in order.</summary>
    IAsyncEnumerable<LoggedChange> ReadAsync(ulong from, ulong through, CancellationToken ct);

    /// <summary>
    /// Committed changes from <paramref name="from"/> on, as they are committed (a batch at a time), until cancelled:
    /// what the background tail follows. Empty when the local log is the commit point (nothing else writes).
    /// </summary>
    IAsyncEnumerable<IReadOnlyList<LoggedChange>> FollowAsync(ulong from, CancellationToken ct);
}
