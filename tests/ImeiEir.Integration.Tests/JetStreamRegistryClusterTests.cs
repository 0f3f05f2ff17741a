using System.Net;

namespace ImeiEir.Integration.Tests;

/// <summary>
/// Two registry processes (<c>imeieir --Mode=registry --Registry:Log=JetStream</c>) on one stream of a real
/// three-server NATS cluster, as the README's "A registry on several machines" runs them: either takes pushes,
/// <c>GET /v1/status</c> agrees on both, and after kill -9 of the one taking pushes the other takes the next.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class JetStreamRegistryClusterTests() : ClusterFixture(RegistryLog.JetStream)
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(30);

    protected override string Name => "jetstream-cluster";

    // Its own two processes, not the fixture's registry and peer: the test kills and restarts one by name.
    private ClusterProcess StartRegistry(string name) =>
        Track(ClusterProcess.StartJetStreamRegistry(name, Path.Combine(Root, name), Nats.Urls, Stream));

    private RegistryStatus Status(ClusterProcess registry) => Client.Status(registry);

    [Test]
    [CancelAfter(180_000)]
    public void Either_registry_process_takes_pushes_and_after_kill_9_of_one_the_other_takes_the_next()
    {
        ClusterProcess r1 = StartRegistry("registry-1");
        ClusterProcess r2 = StartRegistry("registry-2");

        PushResult first = Client.Push(r1.RegistryUrl, Deltas.Batch(block: 1, count: 100));
        Assert.That((first.Status, first.Applied, first.LastSequence), Is.EqualTo((HttpStatusCode.OK, 100L, 100UL)), first.Body);
        PushResult second = Client.Push(r2.RegistryUrl, Deltas.Batch(block: 2, count: 50));
        Assert.That((second.Status, second.Applied, second.LastSequence), Is.EqualTo((HttpStatusCode.OK, 50L, 150UL)), second.Body);
        Eventually.Until(() => Status(r1).Sequence == 150 && Status(r2).Sequence == 150, Settle, "both registry processes at change 150");
        Assert.That(Status(r1), Is.EqualTo(Status(r2)), "one generation, one digest");

        r1.Kill9();
        // Block 1 again, from the other process: already so, nothing appended; then new lines after change 150.
        PushResult again = Client.Push(r2.RegistryUrl, Deltas.Batch(block: 1, count: 100));
        PushResult next = Client.Push(r2.RegistryUrl, Deltas.Batch(block: 3, count: 10));
        Assert.Multiple(() =>
        {
            Assert.That((again.Status, again.Applied), Is.EqualTo((HttpStatusCode.OK, 0L)), again.Body);
            Assert.That((next.Status, next.Applied, next.LastSequence), Is.EqualTo((HttpStatusCode.OK, 10L, 160UL)), next.Body);
        });

        // The killed one restarts on its directory and catches up from its log and the stream.
        Release(r1);
        ClusterProcess back = StartRegistry("registry-1");
        Eventually.Until(() => Status(back).Sequence == 160, Settle, "the restarted process at change 160");
        Assert.That(Status(back), Is.EqualTo(Status(r2)));
    }
}
