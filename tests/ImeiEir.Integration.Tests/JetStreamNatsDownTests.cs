using System.Diagnostics;
using System.Net;

namespace ImeiEir.Integration.Tests;

/// <summary>
/// A JetStream registry process whose whole NATS cluster is down (all three servers killed): a push is answered 503
/// naming the stream (it was not answered at all), nothing of it is applied, reads keep being served, and once the
/// servers are back the same push is applied and a registry process started afresh on the stream agrees with it,
/// down to who made the push.
/// Not a timing test: the bound asserted is loose, the point is "answered, not hung".
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class JetStreamNatsDownTests() : ClusterFixture(RegistryLog.JetStream)
{
    private const int LinesPerPush = 10;
    private static readonly TimeSpan Answered = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(60);

    protected override string Name => "jetstream-nats-down";

    [Test]
    [CancelAfter(300_000)]
    public async Task With_every_NATS_server_killed_a_push_is_answered_503_and_applied_once_they_are_back()
    {
        // The fixture's cluster (every server is restarted before the test ends) and the test's own stream.
        string stream = Stream;
        ClusterProcess registry = Track(ClusterProcess.StartJetStreamRegistry("registry", Path.Combine(Root, "registry"), Nats.Urls, stream));
        // A second process that only tails: how soon it follows again after the servers are back is printed, not asserted.
        ClusterProcess peer = Track(ClusterProcess.StartJetStreamRegistry("peer", Path.Combine(Root, "peer"), Nats.Urls, stream));
        PushResult first = Client.Push(registry.RegistryUrl, Deltas.Batch(block: 1, count: LinesPerPush));
        Assert.That(first.Status, Is.EqualTo(HttpStatusCode.OK), first.Body);
        Eventually.Until(() => Client.Status(peer).Sequence == first.LastSequence, Settle, "the peer tails the first push");

        for (int i = 0; i < Nats.Size; i++) Nats.Kill(i);
        string batch = Deltas.Batch(block: 2, count: LinesPerPush);
        var clock = Stopwatch.StartNew();
        PushResult refused;
        using (var noAnswer = new CancellationTokenSource(TimeSpan.FromSeconds(120)))
            refused = Client.Push(registry.RegistryUrl, batch, noAnswer.Token);
        TestContext.Progress.WriteLine($"push with every NATS server down answered {(int)refused.Status} after {clock.Elapsed.TotalSeconds:0.0} s: {refused.Body}");
        Assert.Multiple(() =>
        {
            Assert.That(refused.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable), refused.Body);
            Assert.That(refused.Body, Does.Contain(stream), "the answer names the stream");
            Assert.That(clock.Elapsed, Is.LessThan(Answered), "answered, not hung");
            Assert.That(Client.Status(registry).Sequence, Is.EqualTo(first.LastSequence), "nothing of it applied; /v1/status still answers");
            Assert.That(Client.GetImei(registry.RegistryUrl, Deltas.ImeiOf(2, 0)), Is.Null, "nothing of it applied");
            Assert.That(Client.GetImei(registry.RegistryUrl, Deltas.ImeiOf(1, 0)), Is.Not.Null, "reads are served");
        });

        await Task.WhenAll(Enumerable.Range(0, Nats.Size).Select(i => Task.Run(() => Nats.RestartAsync(i))));
        var back = Stopwatch.StartNew();
        PushResult applied = PushUntilAcknowledged(registry, batch);
        TimeSpan acknowledged = back.Elapsed;
        ulong expected = first.LastSequence + LinesPerPush;
        Eventually.Until(() => Client.Status(peer).Sequence == expected, Settle, "the peer tails the push made once the servers were back");
        TestContext.Progress.WriteLine($"servers back: push acknowledged after {acknowledged.TotalSeconds:0.0} s, the peer had it after {back.Elapsed.TotalSeconds:0.0} s");
        ClusterProcess fresh = Track(ClusterProcess.StartJetStreamRegistry("fresh", Path.Combine(Root, "fresh"), Nats.Urls, stream));
        Eventually.Until(() => Client.Status(fresh).Sequence == expected, Settle, "a registry process started afresh replays the stream");
        Assert.Multiple(() =>
        {
            Assert.That(Client.Status(registry).Sequence, Is.EqualTo(expected), $"the push applied once: {applied.Body}");
            Assert.That(Deltas.ImeisOf(2, LinesPerPush).Count(imei => Client.GetImei(registry.RegistryUrl, imei) is not null), Is.EqualTo(LinesPerPush));
            Assert.That(Client.Status(registry).Digest, Is.EqualTo(Client.Status(fresh).Digest), "the same state as the stream's replay");
            Assert.That(Client.Status(peer).Digest, Is.EqualTo(Client.Status(fresh).Digest), "the peer too");
            // The stream carries who pushed: the peer (following) and the fresh process (catching up) show the same actor.
            Assert.That(new[] { peer, fresh }.Select(p => ActorOf(p, Deltas.ImeiOf(2, 0))), Is.All.EqualTo(ActorOf(registry, Deltas.ImeiOf(2, 0))).And.All.Not.EqualTo("registry-peer"));
        });
    }

    private string? ActorOf(ClusterProcess registry, string imei) =>
        Client.GetImei(registry.RegistryUrl, imei)?.GetProperty("history").EnumerateArray().Last().GetProperty("actor").GetString();

    /// <summary>Pushes <paramref name="batch"/> until acknowledged (503 while the stream has no leader yet), at most 30 times in 90 s.</summary>
    private PushResult PushUntilAcknowledged(ClusterProcess registry, string batch)
    {
        var clock = Stopwatch.StartNew();
        PushResult? result = null;
        for (int attempt = 0; attempt < 30 && clock.Elapsed < TimeSpan.FromSeconds(90); attempt++)
        {
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(45));
                result = Client.Push(registry.RegistryUrl, batch, cts.Token);
                if (result.Status == HttpStatusCode.OK)
                {
                    TestContext.Progress.WriteLine($"push acknowledged {clock.Elapsed.TotalSeconds:0.0} s after the servers were back, attempt {attempt + 1}");
                    return result;
                }
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
            {
                TestContext.Progress.WriteLine($"push to {registry.Name}: {e.Message}");
            }
            Thread.Sleep(1000);
        }
        Assert.Fail($"{registry.Name} acknowledged the push within 90 s: {result?.Body}");
        return null!;
    }
}
