using System.Text.Json.Nodes;
using ImeiEir.Testing;

namespace ImeiEir.Integration.Tests;

/// <summary>Registry:RestoreFrom with Registry:Log=JetStream, on a real three-server NATS cluster.</summary>
public sealed partial class BackupRestoreTests
{
    [Test]
    [CancelAfter(360_000)]
    public async Task A_JetStream_registry_restores_onto_a_new_stream_a_second_process_joins_it_and_the_old_registry_s_node_follows()
    {
        using NatsCluster nats = await NatsCluster.StartAsync(3);
        string oldStream = "RS" + Guid.NewGuid().ToString("N")[..12], newStream = "RS" + Guid.NewGuid().ToString("N")[..12];
        ClusterProcess old = Track(ClusterProcess.StartJetStreamRegistry("registry-old", Path.Combine(Root, "registry-old"), nats.Urls, oldStream));
        Client.Push(old.RegistryUrl, Deltas.Batch(block: 1, count: 2_000));
        ClusterProcess node = StartNode(old);

        (string backup, ulong sequence, string oldGeneration, string expectedDigest, Dictionary<string, string> expectedHistories, int port) =
            BackUpUnderPushesAndStop(old, node);

        // The old stream still holds its changes: a restore onto it is refused with one line naming it, nothing started.
        ClusterProcess refused = Track(ClusterProcess.LaunchRegistry("registry-refused", Path.Combine(Root, "registry-refused"),
            ClusterClient.AdminToken, ClusterClient.ReaderToken, 0, [.. ClusterProcess.JetStreamArgs(nats.Urls, oldStream), $"--Registry:RestoreFrom={backup}"]));
        Assert.That(refused.WaitForExit(TimeSpan.FromSeconds(60)), Is.EqualTo(2), refused.Output);
        Assert.That(refused.Output.Split('\n').Count(l => l.Contains($"stream {oldStream} holds changes 1..", StringComparison.Ordinal)), Is.EqualTo(1),
            refused.Output);

        // Restored onto a new stream at the old registry's address, then a second process joins that stream empty.
        ClusterProcess a = Track(ClusterProcess.StartJetStreamRegistry("registry-a", Path.Combine(Root, "registry-a"), nats.Urls, newStream, port,
            $"--Registry:RestoreFrom={backup}"));
        ClusterProcess b = Track(ClusterProcess.StartJetStreamRegistry("registry-b", Path.Combine(Root, "registry-b"), nats.Urls, newStream));
        (ulong aSequence, string aGeneration, string aDigest) = RegistryStatus(a);
        (ulong bSequence, string bGeneration, string bDigest) = RegistryStatus(b);
        Assert.Multiple(() =>
        {
            Assert.That((aSequence, aDigest), Is.EqualTo((sequence, expectedDigest)), "the restoring process holds the backup's state");
            Assert.That((bSequence, bDigest), Is.EqualTo((sequence, expectedDigest)), "the joining process holds it from the stream");
            Assert.That(aGeneration, Is.Not.EqualTo(oldGeneration), "a new generation");
            Assert.That(bGeneration, Is.EqualTo(aGeneration), "one generation, the stream's");
            Assert.That(a.OutputLines.Count(l => l.Contains($"put in JetStream bucket {newStream}_NOTICES", StringComparison.Ordinal)), Is.EqualTo(1),
                "the restored outbox went to the new stream's bucket, once");
            foreach (string imei in expectedHistories.Keys)
            {
                Assert.That(History(a.RegistryUrl, imei, sequence), Is.EqualTo(expectedHistories[imei]), $"history of {imei} on the restoring process");
                // The stream carries changes, not who made them: the joining process shows them as another process's.
                Assert.That(WithoutAttribution(History(b.RegistryUrl, imei, sequence)), Is.EqualTo(WithoutAttribution(expectedHistories[imei])),
                    $"history of {imei} on the joining process");
            }
        });

        // The node, on the old generation and ahead of the restored registry, bootstraps and holds the restored state.
        Assert.That(node.WaitForOutput(l => l.Contains(GenerationLine, StringComparison.Ordinal), SyncWithin, out _), Is.True,
            "the node says why it bootstraps again");
        Eventually.TryUntil(() => Client.Digest(node) == (expectedDigest, sequence), SyncWithin, TimeSpan.FromMilliseconds(200));
        Assert.That(Client.Digest(node), Is.EqualTo((expectedDigest, sequence)), "the node holds exactly the restored state");
    }

    /// <summary>History lines without who made each change and why (sequence, list, reason, time stay).</summary>
    private static string WithoutAttribution(string history) => string.Concat(history.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
    {
        JsonObject change = JsonNode.Parse(line)!.AsObject();
        change.Remove("actor");
        change.Remove("comment");
        return change.ToJsonString() + "\n";
    }));
}
