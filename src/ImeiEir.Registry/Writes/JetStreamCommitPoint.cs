using ImeiEir.Registry.JetStream;

namespace ImeiEir.Registry;

/// <summary>
/// <c>Registry:Log=JetStream</c>: a batch is committed when the change stream acknowledged it (stored on a quorum of
/// its servers), conditional on the stream ending where the writer's view does, so registry processes sharing the
/// stream never interleave or fork it. Losing that race is an answer, not an error.
/// </summary>
internal sealed class JetStreamCommitPoint(JetStreamChangeStream stream) : ICommitPoint
{
    public JetStreamChangeStream Stream { get; } = stream;

    public Task<AppendResult> CommitAsync(IReadOnlyList<LoggedChange> batch, Attribution by, CancellationToken ct) => Stream.AppendAsync(batch, by, ct);

    public Task<ulong> LastSequenceAsync(CancellationToken ct) => Stream.LastSequenceAsync(ct);

    public IAsyncEnumerable<LoggedChange> ReadAsync(ulong from, ulong through, CancellationToken ct) => Stream.ReadAsync(from, through, ct);

    public IAsyncEnumerable<IReadOnlyList<LoggedChange>> FollowAsync(ulong from, CancellationToken ct) => Stream.ReadMessagesAsync(from, ct);
}
