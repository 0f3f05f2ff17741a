using FsCheck;
using FsCheck.Fluent;
using ImeiEir.Core;

namespace ImeiEir.Sync.Tests;

/// <summary>End to end over HTTP: however the registry's bytes are chopped up, the node ends as if it applied each change once.</summary>
public class SyncPropertyTests
{
    private FakeRegistry _registry = null!;

    [OneTimeSetUp]
    public async Task StartRegistry() => _registry = await FakeRegistry.StartAsync();

    [OneTimeTearDown]
    public async Task StopRegistry() => await _registry.DisposeAsync();

    /// <summary>One change: a key from a small set (so changes collide), set to a list or removed.</summary>
    public readonly record struct Step(byte Key, byte List, bool Remove, uint Deadline);

    [FsCheck.NUnit.Property(MaxTest = 25)]
    public Property Any_change_list_cut_at_arbitrary_byte_offsets_ends_in_the_state_of_applying_it_once(
        Step[] steps, PositiveInt[] cuts, byte snapshotAt, bool cleanly)
    {
        List<Change> changes = steps.Select(s => s.Remove
            ? new Change { ImeiKey = Model.KeyAt(s.Key % 24), Op = ChangeOp.Remove, Reason = Reason.Admin, Origin = ChangeOrigin.Admin, TimeUnixMilliseconds = 1 }
            : Model.Set(Model.KeyAt(s.Key % 24), (ListKind)(1 + s.List % 3), Math.Max(1, s.Deadline))).ToList();
        long feedBytes = FeedFormat.HeartbeatFrameSize + (long)changes.Count * FeedFormat.ChangeFrameSize;

        _registry.ResetTo(changes);
        _registry.SnapshotAtMost = changes.Count == 0 ? 0 : (ulong)(snapshotAt % (changes.Count + 1));
        _registry.CutCleanly = cleanly;
        // At most 8 cuts, each somewhere inside what a connection could send (heartbeat + every change).
        _registry.ClearCuts();
        _registry.CutNextFeeds(cuts.Take(8).Select(c => (long)(c.Get % feedBytes)).ToArray());

        return RunAsync(changes).GetAwaiter().GetResult();
    }

    private async Task<Property> RunAsync(List<Change> changes)
    {
        string expected = Model.Digest(Model.Apply(changes.Select((c, i) => c with { Sequence = (ulong)i + 1 })));
        await using Node node = await Node.StartAsync(Node.Options(_registry.Url, initialBackoff: TimeSpan.FromMilliseconds(1), maxBackoff: TimeSpan.FromMilliseconds(5)));
        await node.Agent.FirstCatchUp.WaitAsync(TimeSpan.FromSeconds(15));
        string actual = Model.Digest(node.Store);
        return (node.Agent.LastApplied == (ulong)changes.Count && actual == expected)
            .Label($"applied {node.Agent.LastApplied} of {changes.Count}; store {actual}, expected {expected}; requests {string.Join(", ", _registry.Requests.TakeLast(12))}");
    }
}
