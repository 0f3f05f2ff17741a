using ImeiEir.Core;
using ImeiEir.Store;

namespace ImeiEir.Sync.Tests;

/// <summary>
/// Registry generations: a node never follows one registry's history from a position it reached in another's, even
/// when the numbers would fit (a new or restored registry at the same address, ahead of the node).
/// </summary>
public class GenerationTests
{
    private const int RegistryBehindEvent = 3007;
    private const int GenerationChangedEvent = 3013;
    private const int BootstrapUnfinishedEvent = 3014;

    [Test, CancelAfter(30_000)]
    public async Task A_registry_of_another_generation_is_bootstrapped_afresh_even_when_it_is_ahead_of_the_node()
    {
        await using FakeRegistry registry = await FakeRegistry.StartAsync();
        RegistryGeneration first = registry.Generation;
        registry.Append(Model.Changes(600, 300, seed: 20));
        using var directory = new TempDirectory();
        await using Node node = await Node.StartAsync(Node.Options(registry.Url), directory.Path);
        await node.Agent.FirstCatchUp.WaitAsync(TimeSpan.FromSeconds(10));

        // Another registry at the same address, further along than the node: "feed after=600" would be answered.
        RegistryGeneration second = RegistryGeneration.NewRandom();
        registry.ResetTo(Model.Changes(1000, 400, seed: 21), second);
        await Wait.UntilAsync(() => node.Agent.Status is { LastApplied: 1000, State: SyncState.Following } && registry.Count("snapshot") == 2,
            "the new bootstrap", state: () => node.Agent.Status.ToString());

        Assert.Multiple(() =>
        {
            Assert.That(Model.Digest(node.Store), Is.EqualTo(Model.Digest(registry.State())), "the node holds the new registry's state, nothing of the old");
            Assert.That(node.Log.Count(GenerationChangedEvent), Is.EqualTo(1));
            string line = node.Log.Lines.Single(l => l.EventId == GenerationChangedEvent).Message;
            Assert.That(line, Does.Contain(second.ToString()).And.Contain(first.ToString()).And.Contain("bootstrapping"));
            Assert.That(node.Log.Count(RegistryBehindEvent), Is.Zero);
        });
    }

    [Test, CancelAfter(40_000)]
    public async Task A_restarted_node_remembers_the_generation_it_followed_and_bootstraps_from_a_new_registry_at_the_same_port()
    {
        using var directory = new TempDirectory();
        string file = Path.Combine(directory.Path, FollowedGeneration.FileName);
        int port;
        RegistryGeneration first;
        await using (FakeRegistry a = await FakeRegistry.StartAsync())
        {
            port = a.Url.Port;
            first = a.Generation;
            a.Append(Model.Changes(400, 200, seed: 22));
            await using Node node = await Node.StartAsync(Node.Options(a.Url), directory.Path);
            await node.Agent.FirstCatchUp.WaitAsync(TimeSpan.FromSeconds(10));
            // Recorded once the checkpoint after the snapshot is complete.
            await Wait.UntilAsync(() => File.Exists(file) && File.ReadAllText(file).Trim() == first.ToString(), "the generation recorded");
        }

        await using FakeRegistry b = await FakeRegistry.StartAsync(port);
        b.Append(Model.Changes(900, 300, seed: 23));
        await using Node restarted = await Node.StartAsync(Node.Options(b.Url), directory.Path);
        await Wait.UntilAsync(() => restarted.Agent.Status is { LastApplied: 900, State: SyncState.Following } && b.Count("snapshot") == 1,
            "the bootstrap from the new registry", state: () => restarted.Agent.Status.ToString());

        Assert.Multiple(() =>
        {
            Assert.That(restarted.Store.RecoveredSequence, Is.EqualTo(400UL), "the restart recovered the old registry's state");
            Assert.That(Model.Digest(restarted.Store), Is.EqualTo(Model.Digest(b.State())));
            Assert.That(restarted.Log.Count(GenerationChangedEvent), Is.EqualTo(1));
        });
        await Wait.UntilAsync(() => File.ReadAllText(file).Trim() == b.Generation.ToString(), "the new generation recorded");
    }

    [Test, CancelAfter(30_000)]
    public async Task A_bootstrap_that_never_reached_a_checkpoint_is_started_again_into_a_cleared_store()
    {
        await using FakeRegistry registry = await FakeRegistry.StartAsync();
        registry.Append(Model.Changes(300, 100, seed: 24));
        using var directory = new TempDirectory();
        // What a crash mid-bootstrap leaves: a checkpoint at a sequence, holding a record the registry never had (a
        // remnant of another history), and the mark of a bootstrap begun.
        using (var store = new ImeiStore(new StoreOptions { Directory = directory.Path, ExpectedRecords = 10_000 }))
        {
            using (ImeiStoreSession session = store.NewSession())
                session.Upsert(Imei.FromKey(Model.KeyAt(99_999)), new ImeiRecord(ListKind.Black, Reason.Stolen, 0, 250));
            await store.CheckpointAsync(250);
        }
        RegistryGenerationFile.Write(Path.Combine(directory.Path, FollowedGeneration.FileName), RegistryGeneration.None);

        await using Node node = await Node.StartAsync(Node.Options(registry.Url), directory.Path);
        await node.Agent.FirstCatchUp.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Multiple(() =>
        {
            Assert.That(node.Store.RecoveredSequence, Is.EqualTo(250UL));
            Assert.That(registry.Requests.First(), Is.EqualTo("snapshot"), "no resume from the unfinished state");
            Assert.That(node.Log.Count(BootstrapUnfinishedEvent), Is.EqualTo(1));
            Assert.That(Model.Digest(node.Store), Is.EqualTo(Model.Digest(registry.State())), "the remnant is gone");
        });
    }

    [Test, CancelAfter(30_000)]
    public async Task A_store_from_before_generations_adopts_the_registry_s_generation_and_resumes_without_a_snapshot()
    {
        await using FakeRegistry registry = await FakeRegistry.StartAsync();
        registry.Generation = RegistryGeneration.None; // a registry from before generations
        registry.Append(Model.Changes(300, 100, seed: 25));
        using var directory = new TempDirectory();
        string file = Path.Combine(directory.Path, FollowedGeneration.FileName);
        AgentSetup options = Node.Options(registry.Url, checkpointEveryChanges: 50, checkpointInterval: TimeSpan.FromMilliseconds(200));
        await using (Node old = await Node.StartAsync(options, directory.Path))
        {
            await old.Agent.FirstCatchUp.WaitAsync(TimeSpan.FromSeconds(10));
            await Wait.UntilAsync(() => old.Log.Count(3010) >= 1, "a checkpoint");
        }
        Assert.That(File.Exists(file), Is.False, "no generation named, none recorded");

        registry.Generation = RegistryGeneration.NewRandom(); // the registry upgraded in place
        await using Node node = await Node.StartAsync(options, directory.Path);
        registry.Append(Model.Changes(100, 100, seed: 26));
        await Wait.ForAsync(node, 400);
        await Wait.UntilAsync(() => File.Exists(file) && File.ReadAllText(file).Trim() == registry.Generation.ToString(), "the generation adopted");
        Assert.Multiple(() =>
        {
            Assert.That(registry.Count("snapshot"), Is.EqualTo(1));
            Assert.That(node.Log.Count(GenerationChangedEvent), Is.Zero);
            Assert.That(Model.Digest(node.Store), Is.EqualTo(Model.Digest(registry.State())));
        });
    }
}
