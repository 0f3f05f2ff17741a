namespace ImeiEir.Sync;

/// <summary>The last change sequence a node has applied to its store; its store lifecycle records it with every checkpoint.</summary>
public interface IAppliedSequence
{
    /// <summary>The last sequence applied and visible in the store (0 = none, or a bootstrap in progress).</summary>
    ulong LastApplied { get; }
}
