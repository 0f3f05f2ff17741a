namespace ImeiEir.Sync;

/// <summary>
/// Settings of the node's sync agent (<see cref="SyncAgent"/>), bound from the configuration section <c>"Sync"</c>:
/// how patiently to reconnect and how often to checkpoint. Where the registry is comes separately
/// (<see cref="RegistryLink"/>).
/// </summary>
public sealed class SyncOptions
{
    public const string Section = "Sync";

    /// <summary>First delay before reconnecting after a failure (default 200 ms). Doubles per consecutive failure, with jitter.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Upper bound of the reconnect delay (default 10 s). Each delay is drawn between half of and the full bounded value.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// No frame (change or heartbeat) for this long → the connection is taken as dead and re-opened (default 20 s).
    /// Keep it a few times the registry's heartbeat interval (5 s). Also bounds a stalled snapshot download.
    /// </summary>
    public TimeSpan HeartbeatTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// While changes flow, take a local store checkpoint recording the applied sequence at least this often
    /// (default 30 s), so a killed node resumes from a recent point. No checkpoint when nothing changed.
    /// </summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Also take a checkpoint after this many applied changes (default 1,000,000), once they are also at least as many
    /// as the records the last checkpoint wrote: a checkpoint copies the whole store, so a store larger than this
    /// count is checkpointed by <see cref="CheckpointInterval"/> during a burst of changes, not once per count.
    /// </summary>
    public long CheckpointEveryChanges { get; init; } = 1_000_000;

    /// <summary>
    /// How often the node asks the registry whether its TAC database changed (<c>GET /v1/tac</c> with the version it
    /// holds: an unchanged database costs a 304). Also the retry delay after a failed fetch. Default 1 min; 100 ms to 1 day.
    /// </summary>
    public TimeSpan TacCheckInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Checks every option; one <c>"Sync:Key: message"</c> line per problem, none when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (InitialBackoff <= TimeSpan.Zero)
            problems.Add($"Sync:InitialBackoff: must be positive, got {InitialBackoff}");
        if (MaxBackoff < InitialBackoff)
            problems.Add($"Sync:MaxBackoff: must be at least InitialBackoff ({InitialBackoff}), got {MaxBackoff}");
        if (HeartbeatTimeout <= TimeSpan.Zero)
            problems.Add($"Sync:HeartbeatTimeout: must be positive, got {HeartbeatTimeout}");
        if (CheckpointInterval <= TimeSpan.Zero)
            problems.Add($"Sync:CheckpointInterval: must be positive, got {CheckpointInterval}");
        if (CheckpointEveryChanges < 1)
            problems.Add($"Sync:CheckpointEveryChanges: must be at least 1, got {CheckpointEveryChanges}");
        if (TacCheckInterval < TimeSpan.FromMilliseconds(100) || TacCheckInterval > TimeSpan.FromDays(1))
            problems.Add($"Sync:TacCheckInterval: must be between 100 ms and 1 day, got {TacCheckInterval}");
        return problems;
    }
}
