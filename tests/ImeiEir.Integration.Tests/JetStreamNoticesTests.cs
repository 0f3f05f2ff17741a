namespace ImeiEir.Integration.Tests;

/// <summary>
/// The notifier of two registry processes (<c>--Registry:Log=JetStream</c>) on one stream of a real three-server NATS
/// cluster: a grey-start notice made by the process that took the sighting is held by the other too (the outbox is
/// the stream's <c>_NOTICES</c> bucket, each journal a replica), and survives kill -9 of the process that made it.
/// Sending, the lease and the take-over are tested with real Kannel in ImeiEir.Notify.Tests (SharedOutboxCrashTests) and
/// with real registry processes in JetStreamSmsTakeOverTests.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class JetStreamNoticesTests : ClusterFixture
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(30);
    private NatsCluster _nats = null!;

    protected override string Name => "jetstream-notices";

    [OneTimeSetUp]
    public async Task StartNats() => _nats = await NatsCluster.StartAsync(3);

    [OneTimeTearDown]
    public void StopNats() => _nats?.Dispose();

    private ClusterProcess StartRegistry(string name, string stream) =>
        Track(ClusterProcess.StartRegistry(name, Path.Combine(Root, name), ClusterClient.AdminToken, ClusterClient.ReaderToken, 0,
            "--Registry:Log=JetStream", $"--Registry:Nats:Url={_nats.Urls}", $"--Registry:Nats:Stream={stream}"));

    /// <summary>The keys and states of the notices about <paramref name="imei"/> a registry process holds.</summary>
    private List<string> Notices(ClusterProcess registry, string imei) =>
        [.. Client.Notices(registry, $"imei={imei}").Select(n => $"{n.GetProperty("key").GetString()} {n.GetProperty("state").GetString()}")];

    [Test]
    [CancelAfter(180_000)]
    public void A_notice_made_by_one_registry_process_is_held_by_the_other_and_outlives_kill_9_of_the_maker()
    {
        string stream = "NT" + Guid.NewGuid().ToString("N")[..12];
        ClusterProcess r1 = StartRegistry("registry-1", stream);
        ClusterProcess r2 = StartRegistry("registry-2", stream);
        ClusterProcess node = Track(ClusterProcess.StartEir("node", Path.Combine(Root, "node"), r1.RegistryUrl, ClusterClient.ReaderToken));

        // An IMEI no list has, attached from the home network: the node reports the sighting to registry-1, which
        // makes it grey and makes its grey-start notice (parked: no subscriber directory here).
        const string imei = "35209900176148";
        ClusterClient.Check(node, imei);
        List<string> made = [];
        Eventually.TryUntil(() => (made = Notices(r1, imei)).Count > 0, Settle);
        Assert.That(made, Has.Count.EqualTo(1).And.One.StartsWith("grey-"), "the notice registry-1 made\n" + r1.Output);

        List<string> held = [];
        Eventually.TryUntil(() => (held = Notices(r2, imei)).Count > 0, Settle);
        Assert.That(held, Is.EqualTo(made), "the notice as registry-2 holds it\n" + r2.Output);

        r1.Kill9();
        Assert.That(Notices(r2, imei), Is.EqualTo(made), "registry-2 after kill -9 of registry-1");
        ClusterProcess r3 = StartRegistry("registry-3", stream);
        Assert.That(Notices(r3, imei), Is.EqualTo(made), "a registry process started afterwards, with an empty directory");
    }
}
