using ImeiEir.Store;

namespace ImeiEir.Sync.Tests;

/// <summary>An EIR node's sync half: a store (recovered from its directory, when it has one) and an agent.</summary>
internal sealed class Node : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private Node(ImeiStore store, SyncAgent agent, TestLogger<SyncAgent> logger)
    {
        Store = store;
        Agent = agent;
        Log = logger;
    }

    public ImeiStore Store { get; }

    public SyncAgent Agent { get; }

    public TestLogger<SyncAgent> Log { get; }

    /// <summary>Options for tests: quick back-off and a short heartbeat timeout unless told otherwise.</summary>
    public static AgentSetup Options(Uri url, string token = FakeRegistry.Token, TimeSpan? heartbeatTimeout = null,
        long checkpointEveryChanges = 1_000_000, TimeSpan? checkpointInterval = null, TimeSpan? initialBackoff = null, TimeSpan? maxBackoff = null) => new(new SyncOptions
    {
        InitialBackoff = initialBackoff ?? TimeSpan.FromMilliseconds(20),
        MaxBackoff = maxBackoff ?? TimeSpan.FromMilliseconds(200),
        // Far above the fake registry's 100 ms heartbeats: a loaded 2-core machine can stall a test for seconds, and a
        // test that wants the timeout to fire passes its own.
        HeartbeatTimeout = heartbeatTimeout ?? TimeSpan.FromSeconds(10),
        CheckpointEveryChanges = checkpointEveryChanges,
        CheckpointInterval = checkpointInterval ?? TimeSpan.FromSeconds(30),
    }, new RegistryLink(url, token));

    /// <summary>Opens a store (in <paramref name="directory"/>, recovering its checkpoint; in memory when null) and starts an agent on it.</summary>
    public static async Task<Node> StartAsync(AgentSetup setup, string? directory = null, long expectedRecords = 10_000)
    {
        var store = new ImeiStore(new StoreOptions { Directory = directory, ExpectedRecords = expectedRecords });
        store.TryRecover();
        var logger = new TestLogger<SyncAgent>();
        var agent = new SyncAgent(setup.Options, setup.Registry, store, Http, TimeProvider.System, logger);
        await agent.StartAsync(CancellationToken.None);
        return new Node(store, agent, logger);
    }

    public async ValueTask DisposeAsync()
    {
        await Agent.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        Agent.Dispose();
        Store.Dispose();
    }
}

/// <summary>What an agent is started with: its options and the registry it follows.</summary>
internal sealed record AgentSetup(SyncOptions Options, RegistryLink Registry);

internal static class Wait
{
    /// <summary>Polls <paramref name="condition"/> until it holds; fails the test after <paramref name="seconds"/>.</summary>
    public static Task UntilAsync(Func<bool> condition, string what, double seconds = 10, Func<string>? state = null) =>
        Eventually.UntilAsync(condition, TimeSpan.FromSeconds(seconds), what, state);

    public static Task ForAsync(Node node, ulong sequence, double seconds = 10) =>
        UntilAsync(() => node.Agent.LastApplied >= sequence, $"sequence {sequence}", seconds, () => node.Agent.Status.ToString());
}
