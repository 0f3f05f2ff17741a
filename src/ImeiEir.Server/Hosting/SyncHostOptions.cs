using ImeiEir.Sync;

namespace ImeiEir.Server.Hosting;

/// <summary>The node's sync agent tunables (configuration section <c>Sync</c>); the registry URL and token live under <c>Registry</c>.</summary>
public sealed class SyncHostOptions
{
    public const string Section = "Sync";

    /// <summary>First reconnect delay after the feed drops. Default 00:00:00.2.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest reconnect delay; delays double with jitter up to it. Default 00:00:10.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>No frame (change or heartbeat) for this long means the feed is dead: reconnect. Default 00:00:20.</summary>
    public TimeSpan HeartbeatTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Local checkpoint, with the applied sequence, this often while changes flow. Default 00:00:30.</summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Also checkpoint after this many applied changes, and at least as many as the last checkpoint wrote records. Default 1000000.</summary>
    public long CheckpointEveryChanges { get; set; } = 1_000_000;

    internal SyncOptions ToSyncOptions(Uri registryUrl, string readerToken) => new()
    {
        RegistryUrl = registryUrl,
        ReaderToken = readerToken,
        InitialBackoff = InitialBackoff,
        MaxBackoff = MaxBackoff,
        HeartbeatTimeout = HeartbeatTimeout,
        CheckpointInterval = CheckpointInterval,
        CheckpointEveryChanges = CheckpointEveryChanges,
    };

    // The URL and token are checked under Registry:*; only the tunables' problems are ours to report here.
    internal IEnumerable<string> Validate() =>
        ToSyncOptions(new Uri("http://127.0.0.1/"), "placeholder-token").Validate()
            .Where(p => !p.StartsWith("Sync:RegistryUrl", StringComparison.Ordinal) && !p.StartsWith("Sync:ReaderToken", StringComparison.Ordinal))
            .Select(p => p.TrimEnd('.'));
}
