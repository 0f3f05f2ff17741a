using ImeiEir.Core;

namespace ImeiEir.Integration.Tests;

/// <summary>
/// One registry and EIR nodes as real processes (<c>imeieir --Mode=registry</c> / <c>--Mode=eir</c>) on 127.0.0.1:
/// a push reaches the nodes' Diameter answers; a stopped registry leaves the nodes answering, and they catch up by
/// themselves when it is back.
/// </summary>
/// <remarks>Each test runs twice: on one Local registry, and on two JetStream registry processes (see <see cref="ClusterFixture"/>).</remarks>
[TestFixture(RegistryLog.Local)]
[TestFixture(RegistryLog.JetStream)]
[NonParallelizable]
public sealed class RegistryClusterTests(RegistryLog log) : ClusterFixture(log)
{
    private static readonly TimeSpan VisibleWithin = TimeSpan.FromSeconds(30);

    protected override string Name => "cluster";

    private ClusterProcess StartRegistry(int port = 0) => StartRegistry("registry", Path.Combine(Root, "registry"), port);

    private ClusterProcess StartNode(string name, ClusterProcess registry, params string[] extra) =>
        StartNode(name, Path.Combine(Root, name), registry, true, ["--Sync:MaxBackoff=00:00:01", .. extra]);

    [Test]
    [CancelAfter(120_000)]
    public void Push_two_nodes_answer_the_new_status_over_Diameter_set_replace_and_remove()
    {
        ClusterProcess registry = StartRegistry();

        // Before the nodes exist: 1,000 records (white, black, grey in turn); the nodes bootstrap from the snapshot.
        PushResult first = Client.Push(registry.RegistryUrl, Deltas.Batch(block: 1, count: 1_000));
        Assert.That(first.Status, Is.EqualTo(System.Net.HttpStatusCode.OK), first.Body);
        ClusterProcess a = StartNode("node-a", registry);
        ClusterProcess b = StartNode("node-b", registry);

        string replaced = Deltas.ImeiOf(1, 0);   // white → black (service-replacement)
        string removed = Deltas.ImeiOf(1, 1);    // black → off every list → unknown: GREYLISTED for a home IMSI
        string stolen = Deltas.ImeiOf(1, 3);     // white → black
        string cleared = Deltas.ImeiOf(1, 4);    // black → white
        string module = Deltas.ImeiOf(2, 0);     // the new module: unknown → white
        string added = Deltas.ImeiOf(2, 1);      // unknown → black
        foreach (ClusterProcess node in new[] { a, b })
        {
            Assert.That(ClusterClient.Check(node, replaced), Is.EqualTo(EquipmentStatus.Whitelisted), $"{node.Name} before: {replaced}");
            Assert.That(ClusterClient.Check(node, removed), Is.EqualTo(EquipmentStatus.Blacklisted), $"{node.Name} before: {removed}");
            Assert.That(ClusterClient.Check(node, cleared), Is.EqualTo(EquipmentStatus.Blacklisted), $"{node.Name} before: {cleared}");
        }

        // The nodes now follow the feed: this batch reaches them as changes, not as a snapshot.
        string delta = Deltas.Header
                       + $"replace,{replaced},,,,{module}\n"
                       + $"remove,{removed},,,,\n"
                       + $"set,{stolen},black,stolen,,\n"
                       + $"set,{cleared},white,verified,,\n"
                       + $"set,{added},black,counterfeit,,\n";
        DateTime sent = DateTime.UtcNow;
        PushResult second = Client.Push(registry.RegistryUrl, delta);
        Assert.That(second.Status, Is.EqualTo(System.Net.HttpStatusCode.OK), second.Body);
        Assert.That(second.Applied, Is.EqualTo(5), second.Body);

        var expected = new Dictionary<string, EquipmentStatus>
        {
            [replaced] = EquipmentStatus.Blacklisted,
            [module] = EquipmentStatus.Whitelisted,
            [removed] = EquipmentStatus.Greylisted,
            [stolen] = EquipmentStatus.Blacklisted,
            [cleared] = EquipmentStatus.Whitelisted,
            [added] = EquipmentStatus.Blacklisted,
        };
        foreach (ClusterProcess node in new[] { a, b })
        {
            Dictionary<string, EquipmentStatus?> answers = ClusterClient.WaitForAnswers(node, expected, VisibleWithin);
            TestContext.Progress.WriteLine($"{node.Name}: every new status answered {(DateTime.UtcNow - sent).TotalMilliseconds:0} ms after the POST");
            Assert.That(answers, Is.EquivalentTo(expected.ToDictionary(e => e.Key, e => (EquipmentStatus?)e.Value)),
                $"{node.Name}: Diameter answers within {VisibleWithin.TotalSeconds:0} s of the push");
        }

        // The registry's own view of the replace: the old IMEI black for service-replacement, linked to the new one.
        System.Text.Json.JsonElement old = Client.GetImei(registry.RegistryUrl, replaced)!.Value;
        Assert.Multiple(() =>
        {
            Assert.That(old.GetProperty("list").GetString(), Is.EqualTo("black"));
            Assert.That(old.GetProperty("reason").GetString(), Is.EqualTo("service-replacement"));
            Assert.That(old.GetProperty("history").EnumerateArray().Last().GetProperty("relatedImei").GetString(), Is.EqualTo(module));
        });

        // The removed IMEI is unknown again, so its attaches above were sightings: the registry publishes it grey
        // (first sighting wins). Wait for that before comparing states, or the registry is not quiet.
        string? removedList = null;
        Eventually.TryUntil(() => (removedList = Client.GetImei(registry.RegistryUrl, removed)?.GetProperty("list").GetString()) == "grey", VisibleWithin);
        Assert.That(removedList, Is.EqualTo("grey"), "the registry never published the sighting of the removed IMEI");

        // And both nodes hold exactly the registry's state.
        Client.AssertSameState(registry, a, VisibleWithin);
        Client.AssertSameState(registry, b, VisibleWithin);
    }

    [Test]
    [CancelAfter(120_000)]
    public void Registry_stopped_node_keeps_answering_registry_back_node_catches_up_by_itself()
    {
        ClusterProcess registry = StartRegistry();
        PushResult first = Client.Push(registry.RegistryUrl, Deltas.Batch(block: 3, count: 300));
        Assert.That(first.Status, Is.EqualTo(System.Net.HttpStatusCode.OK), first.Body);
        ClusterProcess node = StartNode("node", registry);
        Client.AssertSameState(registry, node, VisibleWithin);

        string black = Deltas.ImeiOf(3, 1), white = Deltas.ImeiOf(3, 0), grey = Deltas.ImeiOf(3, 2);
        int registryPort = registry.RegistryPort;

        // With JetStream, both registry processes: the registry is gone, NATS is not.
        Assert.That(StopRegistry(registry), Is.Zero, "the registry's exit code after SIGTERM");
        Release(registry);

        // The node lost its feed and keeps reconnecting (MaxBackoff 1 s); meanwhile it answers from its last state.
        Assert.That(node.WaitForOutput(l => l.Contains("Registry connection ended", StringComparison.Ordinal), TimeSpan.FromSeconds(30), out _),
            Is.True, "the node noticed the registry was gone");
        for (int round = 0; round < 3; round++)
        {
            // Each round after a further failed reconnect (the node logs one per attempt).
            int attempts = round + 1;
            Assert.That(node.WaitForOutputs(l => l.Contains("Registry connection ended", StringComparison.Ordinal), attempts, TimeSpan.FromSeconds(30)),
                Is.True, $"reconnect attempt {attempts}\n{node.Output}");
            Assert.Multiple(() =>
            {
                Assert.That(ClusterClient.Check(node, black), Is.EqualTo(EquipmentStatus.Blacklisted), $"round {round}: {black}");
                Assert.That(ClusterClient.Check(node, white), Is.EqualTo(EquipmentStatus.Whitelisted), $"round {round}: {white}");
                Assert.That(ClusterClient.Check(node, grey), Is.EqualTo(EquipmentStatus.Greylisted), $"round {round}: {grey}");
            });
        }
        Assert.That(node.HasExited, Is.False, "the node still runs without its registry");
        NodeSyncStatus detached = Client.Ready(node);
        TestContext.Progress.WriteLine($"node without registry: HTTP {detached.HttpStatus} {detached.Raw}");
        Assert.That(detached.LastApplied, Is.EqualTo(first.LastSequence), "the node kept what it had applied");

        // Back on the same data directory and port: the node reconnects by itself and takes a push made after it.
        registry = StartRegistry(registryPort);
        Assert.That(registry.RegistryPort, Is.EqualTo(registryPort));
        string delta = Deltas.Header + $"set,{black},white,verified,,\nset,{white},black,stolen,,\n" + $"set,{Deltas.ImeiOf(4, 0)},black,counterfeit,,\n";
        PushResult after = Client.Push(registry.RegistryUrl, delta);
        Assert.That(after.Status, Is.EqualTo(System.Net.HttpStatusCode.OK), after.Body);
        Assert.That(after.LastSequence, Is.GreaterThan(first.LastSequence), "the restarted registry continues the sequence");

        var expected = new Dictionary<string, EquipmentStatus>
        {
            [black] = EquipmentStatus.Whitelisted,
            [white] = EquipmentStatus.Blacklisted,
            [Deltas.ImeiOf(4, 0)] = EquipmentStatus.Blacklisted,
        };
        Dictionary<string, EquipmentStatus?> answers = ClusterClient.WaitForAnswers(node, expected, VisibleWithin);
        Assert.That(answers, Is.EquivalentTo(expected.ToDictionary(e => e.Key, e => (EquipmentStatus?)e.Value)),
            "the node caught up on the push made after the registry came back");
        Client.AssertSameState(registry, node, VisibleWithin);
    }
}
