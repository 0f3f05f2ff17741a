namespace ImeiEir.Registry.JetStream;

/// <summary>How an append to the change stream ended (the answer, not an exception: losing a race is expected).</summary>
internal enum AppendOutcome
{
    /// <summary>Every change of the batch is in the stream, acknowledged by a quorum of its servers.</summary>
    Appended,

    /// <summary>
    /// Another writer appended first: the stream did not end where the batch expected. The first
    /// <see cref="AppendResult.Written"/> changes of the batch are in the stream, the rest are not; the caller
    /// catches up to <see cref="AppendResult.StreamLastSequence"/>, re-decides the rest and appends it from there.
    /// </summary>
    LostRace,
}

/// <summary>The outcome of <see cref="JetStreamChangeStream.AppendAsync(IReadOnlyList{LoggedChange}, Attribution?, CancellationToken)"/>.</summary>
/// <param name="Outcome">Appended, or lost the race to another writer.</param>
/// <param name="Written">How many changes of the batch, from its first, are in the stream (all when appended).</param>
/// <param name="StreamLastSequence">The stream's last sequence when the append ended (for a lost race, where to catch up to).</param>
internal readonly record struct AppendResult(AppendOutcome Outcome, int Written, ulong StreamLastSequence)
{
    public override string ToString() => Outcome == AppendOutcome.Appended
        ? $"appended {Written} change(s), the stream is at {StreamLastSequence}"
        : $"lost the race after {Written} change(s): the stream is at {StreamLastSequence}";
}
