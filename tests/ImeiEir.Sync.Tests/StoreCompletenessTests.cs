using ImeiEir.Core;
using ImeiEir.Store;

namespace ImeiEir.Sync.Tests;

/// <summary>
/// The agent marks the store complete (the node may answer from it) only once a snapshot is applied to its end, and
/// incomplete before it clears the store for a new bootstrap; a checkpoint taken before that end is no place to resume.
/// </summary>
public class StoreCompletenessTests
{
    private const int StoreClearedEvent = 3008;

    [Test, CancelAfter(30_000)]
    public async Task The_store_is_complete_only_once_the_whole_snapshot_is_applied()
    {
        await using FakeRegistry registry = await FakeRegistry.StartAsync();
        registry.Append(Model.Changes(500, 400, seed: 31));
        registry.SnapshotCutAt = 20 + 24 * 100 + 5; // a hundred records, then the registry dies
        // A back-off long enough to look at the store between the cut and the next attempt.
        await using Node node = await Node.StartAsync(Node.Options(registry.Url, initialBackoff: TimeSpan.FromSeconds(2), maxBackoff: TimeSpan.FromSeconds(4)));

        await Wait.UntilAsync(() => node.Agent.Status.Reconnects >= 1, "the cut snapshot");
        Assert.Multiple(() =>
        {
            Assert.That(node.Store.IsComplete, Is.False, "a hundred records of a snapshot are not the lists");
            Assert.That(node.Agent.LastApplied, Is.Zero);
        });

        await node.Agent.FirstCatchUp.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Multiple(() =>
        {
            Assert.That(node.Store.IsComplete, Is.True);
            Assert.That(Model.Digest(node.Store), Is.EqualTo(Model.Digest(registry.State())));
        });
    }

    [Test, CancelAfter(30_000)]
    public async Task A_checkpoint_taken_before_the_bootstrap_finished_makes_the_next_start_bootstrap_again()
    {
        await using FakeRegistry registry = await FakeRegistry.StartAsync();
        registry.Append(Model.Changes(1000, 300, seed: 32));
        using var directory = new TempDirectory();
        // What a node leaves when it stops half-way through its first bootstrap: part of the records, not complete.
        // (This build records sequence 0 then; the sequence here stands for any cursor such a checkpoint might carry.)
        using (var store = new ImeiStore(new StoreOptions { Directory = directory.Path, ExpectedRecords = 10_000 }))
        {
            store.TryRecover();
            using (ImeiStoreSession session = store.NewSession())
                foreach ((ulong key, ImeiRecord record) in registry.StateAt(700).Take(50))
                    session.Upsert(Imei.FromKey(key), record);
            await store.CheckpointAsync(700);
        }

        await using Node node = await Node.StartAsync(Node.Options(registry.Url), directory.Path);
        Assert.That(node.Store.IsComplete, Is.False, "recovered, but not a whole state");
        await node.Agent.FirstCatchUp.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Multiple(() =>
        {
            Assert.That(registry.Requests.First(), Is.EqualTo("snapshot"), "bootstrapped, not resumed after 700");
            Assert.That(node.Store.IsComplete, Is.True);
            Assert.That(node.Agent.LastApplied, Is.EqualTo(1000UL));
            Assert.That(Model.Digest(node.Store), Is.EqualTo(Model.Digest(registry.State())));
        });
    }

    [Test, CancelAfter(40_000)]
    public async Task A_store_cleared_for_a_new_bootstrap_is_not_complete_until_the_new_snapshot_is_whole()
    {
        await using FakeRegistry registry = await FakeRegistry.StartAsync();
        List<Change> history = Model.Changes(1000, 400, seed: 33);
        registry.Append(history);
        await using Node node = await Node.StartAsync(Node.Options(registry.Url, initialBackoff: TimeSpan.FromSeconds(2), maxBackoff: TimeSpan.FromSeconds(4)));
        await node.Agent.FirstCatchUp.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.That(node.Store.IsComplete, Is.True);

        // Restored from an older backup (409, then a new bootstrap into a cleared store), whose snapshot is cut once.
        registry.SnapshotCutAt = 20 + 24 * 50 + 5;
        registry.ResetTo(history.Take(600).Concat(Model.Changes(100, 400, seed: 34)));
        await Wait.UntilAsync(() => node.Log.Count(StoreClearedEvent) == 1 && node.Agent.Status.LastError?.StartsWith("snapshot", StringComparison.Ordinal) == true,
            "the store cleared and the new snapshot cut", 20, () => node.Agent.Status.ToString());
        Assert.That(node.Store.IsComplete, Is.False, "cleared, with fifty records of the new snapshot");

        await Wait.UntilAsync(() => node.Agent.Status is { LastApplied: 700, State: SyncState.Following }, "the re-bootstrap", 20,
            () => node.Agent.Status.ToString());
        Assert.That(node.Store.IsComplete, Is.True);
    }
}
