using ImeiEir.Registry.JetStream;

namespace ImeiEir.Registry;

/// <summary>
/// <c>Registry:Log=Local</c>: the local change log is the commit point, so there is nothing to ask first and no other
/// writer to catch up with (a batch is committed by the local log's commit, as it always was).
/// </summary>
internal sealed class LocalCommitPoint : ICommitPoint
{
    public static readonly LocalCommitPoint Instance = new();

    private LocalCommitPoint()
    {
    }

    public Task<AppendResult> CommitAsync(IReadOnlyList<LoggedChange> batch, Attribution by, CancellationToken ct) =>
        Task.FromResult(new AppendResult(AppendOutcome.Appended, batch.Count, batch[^1].Change.Sequence));

    public Task<ulong> LastSequenceAsync(CancellationToken ct) => Task.FromResult(0UL);

#pragma warning disable CS1998 // an empty sequence: nothing to await
    public async IAsyncEnumerable<LoggedChange> ReadAsync(ulong from, ulong through, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        yield break;
    }

    public async IAsyncEnumerable<IReadOnlyList<LoggedChange>> FollowAsync(ulong from, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        yield break;
    }
#pragma warning restore CS1998
}
