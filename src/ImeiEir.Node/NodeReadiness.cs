namespace ImeiEir.Node;

/// <summary>
/// Ready = the listeners are bound and, on an EIR node, the store has caught up with the registry once
/// (docs/ARCHITECTURE.md, "HTTP": /health/ready only after the first catch-up). Set once; never goes back.
/// </summary>
public sealed class NodeReadiness
{
    private readonly TaskCompletionSource<ulong> _caughtUp = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes with the sequence the node first caught up at (0 for a registry-only process).</summary>
    public Task<ulong> CaughtUp => _caughtUp.Task;

    public bool IsReady => _caughtUp.Task.IsCompletedSuccessfully;

    public void MarkCaughtUp(ulong sequence) => _caughtUp.TrySetResult(sequence);
}
