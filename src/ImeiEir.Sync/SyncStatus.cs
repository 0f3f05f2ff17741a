namespace ImeiEir.Sync;

/// <summary>What the sync agent is doing.</summary>
public enum SyncState
{
    /// <summary>Downloading and applying the registry's snapshot.</summary>
    Bootstrapping,

    /// <summary>Connected to the feed, behind the head the registry announced.</summary>
    CatchingUp,

    /// <summary>Connected to the feed and caught up with the announced head.</summary>
    Following,

    /// <summary>Not connected: starting, or waiting to reconnect after a failure. The node answers from its last state.</summary>
    Disconnected,
}

/// <summary>
/// An immutable snapshot of the sync agent's progress, for health checks and metrics.
/// </summary>
/// <param name="State">What the agent is doing.</param>
/// <param name="LastApplied">The last change sequence applied and visible in the store.</param>
/// <param name="RegistryHead">The registry's head sequence as last announced by a heartbeat (or seen in a change); 0 until known.</param>
/// <param name="LagSequences">RegistryHead − LastApplied, 0 when caught up.</param>
/// <param name="LagSeconds">
/// 0 when caught up; otherwise the registry's clock (its last heartbeat time plus the local time elapsed since)
/// minus the registry time of the last applied change. When no change has been applied since the agent started
/// (just recovered), the time since the first heartbeat that found the node behind: a lower bound. Never NaN.
/// </param>
/// <param name="Reconnects">How many times the agent reconnected (feed or snapshot) since it started.</param>
/// <param name="LastError">The last failure (a connection error, an HTTP status, a corrupt frame), or null if none so far. Never contains the token.</param>
/// <param name="LastErrorAt">When <paramref name="LastError"/> happened (local clock), or null.</param>
/// <param name="Registry">The registry the node follows now (one of <c>Registry:Url</c>).</param>
/// <param name="RegistrySwitches">How many times the node moved to another registry since it started.</param>
public sealed record SyncStatus(
    SyncState State,
    ulong LastApplied,
    ulong RegistryHead,
    ulong LagSequences,
    double LagSeconds,
    long Reconnects,
    string? LastError,
    DateTimeOffset? LastErrorAt,
    Uri Registry,
    long RegistrySwitches);
