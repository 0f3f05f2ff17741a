using System.Diagnostics;
using System.Net;
using System.Text.Json;
using ImeiEir.Core;

namespace ImeiEir.Integration.Tests;

/// <summary>
/// Issue 23, item 6: two registry processes (<c>--Registry:Log=JetStream</c>) on one stream of a real three-server
/// NATS cluster, two EIR nodes following both (<c>--Registry:Url=R1,R2</c> and <c>R2,R1</c>), and a stream of pushes
/// through the registries' HTTP API, alternating between them, bounded in count and time, while a NATS server is
/// killed (SIGKILL) or paused (SIGSTOP, a partition) under it. What must hold at the end, read through the HTTP API
/// only: every acknowledged line is in every registry process's history exactly once, an unacknowledged one (503, or
/// no answer) at most once and the same in every process, the processes agree on sequence and digest (no fork), and
/// each node's <c>/v1/digest</c> is every process's <c>/v1/status</c> digest.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class JetStreamFailureTests : ClusterFixture
{
    private const int LinesPerPush = 10;
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan PushTimeout = TimeSpan.FromSeconds(45);
    private static readonly TimeSpan PauseFor = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RetryPause = TimeSpan.FromSeconds(1);

    private NatsCluster _nats = null!;

    protected override string Name => "jetstream-failure";

    [SetUp]
    public async Task StartNats() => _nats = await NatsCluster.StartAsync(3);

    [TearDown]
    public void StopNats()
    {
        if (TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Failed)
            TestContext.Out.WriteLine(_nats?.Transcripts());
        _nats?.Dispose();
    }

    /// <summary>One push of the stream: its TAC block (10 new IMEIs), where it went, and the answer (null: none came).</summary>
    private sealed record Attempt(int Block, string To, HttpStatusCode? Status, string Detail)
    {
        public bool Acknowledged => Status == HttpStatusCode.OK;
    }

    [Test]
    [CancelAfter(300_000)]
    public void Kill_9_of_the_stream_leader_during_pushes_loses_no_acknowledged_line_and_duplicates_none()
    {
        string stream = NewStream();
        (ClusterProcess[] registries, ClusterProcess[] nodes) = StartCluster(stream);

        int victim = -1;
        List<Attempt> attempts = PushStream(registries, firstBlock: 10, maxPushes: 40, within: TimeSpan.FromSeconds(150),
            before: i =>
            {
                if (i != 10) return true;
                victim = LeaderOr0(stream);
                _nats.Kill(victim);
                TestContext.Progress.WriteLine($"nats-server {victim} (the stream's leader) killed with SIGKILL before push {i}");
                return true;
            });

        Assert.That(victim, Is.Not.EqualTo(-1), "the server was killed during the stream");
        Assert.That(attempts.Skip(11).Count(a => a.Acknowledged), Is.GreaterThan(0),
            $"two servers of three keep a quorum: pushes after the kill are acknowledged\n{Describe(attempts)}");
        AssertEveryLineAtMostOnceAndTheSameEverywhere(attempts, registries);
        AssertNodesHoldEveryRegistrysDigest(nodes, registries);
    }

    [Test]
    [CancelAfter(300_000)]
    public void SIGSTOP_of_the_stream_leader_for_10_s_during_pushes_forks_nothing_and_loses_no_acknowledged_line()
    {
        string stream = NewStream();
        (ClusterProcess[] registries, ClusterProcess[] nodes) = StartCluster(stream);

        int paused = -1;
        int? resumedAt = null;
        Stopwatch? pausedFor = null;
        try
        {
            List<Attempt> attempts = PushStream(registries, firstBlock: 100, maxPushes: 150, within: TimeSpan.FromSeconds(150),
                before: i =>
                {
                    if (i == 5)
                    {
                        paused = LeaderOr0(stream);
                        _nats.Pause(paused);
                        pausedFor = Stopwatch.StartNew();
                        TestContext.Progress.WriteLine($"nats-server {paused} (the stream's leader) paused with SIGSTOP before push {i}");
                    }
                    else if (pausedFor is { IsRunning: true } && pausedFor.Elapsed >= PauseFor)
                    {
                        pausedFor.Stop();
                        _nats.Resume(paused);
                        resumedAt = i;
                        TestContext.Progress.WriteLine($"nats-server {paused} resumed with SIGCONT before push {i}");
                    }
                    // Pushes keep coming at a steady pace through the pause, and ten more after it.
                    Thread.Sleep(100);
                    return resumedAt is null || i < resumedAt + 10;
                });

            Assert.That(pausedFor is { IsRunning: false }, Is.True, $"the server was paused and resumed during the stream\n{Describe(attempts)}");
            Assert.That(attempts.TakeLast(5).Count(a => a.Acknowledged), Is.GreaterThan(0), $"pushes are acknowledged again after the pause\n{Describe(attempts)}");
            AssertEveryLineAtMostOnceAndTheSameEverywhere(attempts, registries);
            AssertNodesHoldEveryRegistrysDigest(nodes, registries);
        }
        finally
        {
            if (pausedFor is { IsRunning: true }) _nats.Resume(paused);
        }
    }

    [Test]
    [CancelAfter(300_000)]
    public void A_node_ahead_of_a_lagging_registry_process_keeps_its_store_and_resumes_there_once_it_caught_up()
    {
        string stream = NewStream();
        // R2 reaches the stream through server 2 only: pausing that server stops R2's tail, and nothing else of R1's.
        ClusterProcess r1 = StartRegistry("registry-1", stream, $"{_nats.ClientUrl(0)},{_nats.ClientUrl(1)}");
        ClusterProcess r2 = StartRegistry("registry-2", stream, _nats.ClientUrl(2));
        PushResult first = Client.Push(r1.RegistryUrl, Deltas.Batch(block: 1, count: LinesPerPush));
        Assert.That(first.Status, Is.EqualTo(HttpStatusCode.OK), first.Body);
        Eventually.Until(() => TryStatus(r2)?.Sequence == first.LastSequence, Settle, "registry-2 tailed the first push");
        ClusterProcess node = StartNode("node", r1, r2);

        ulong ahead;
        _nats.Pause(2);
        try
        {
            // R1 writes on the two other servers (a new stream leader first, if server 2 led it): the node applies it.
            _ = PushUntilAcknowledged(r1, block: 2);
            // Not the push's lastSequence: an attempt answered 503 may have been stored all the same (its outcome was
            // unknown), and the retry that is acknowledged then reports every line unchanged, with no sequence.
            ahead = Client.Status(r1).Sequence;
            Assert.That(ahead, Is.GreaterThan(first.LastSequence), "registry-1 holds block 2");
            Client.WaitApplied(node, ahead, Settle);
            ulong lagging = Client.Status(r2).Sequence;
            Assert.That(lagging, Is.LessThan(ahead), "registry-2 lags behind the stream while its server is paused");

            // R1 gone: the node's only live registry is behind it, and answers 409 "Ahead of the registry".
            r1.Kill9();
            Assert.That(node.WaitForOutput(l => l.Contains("has not yet reached this node's sequence", StringComparison.Ordinal), Settle, out string lag),
                Is.True, "the node took registry-2's 409 for a lag");
            TestContext.Progress.WriteLine($"node: {lag}");
            Assert.Multiple(() =>
            {
                Assert.That(Client.Digest(node).LastApplied, Is.EqualTo(ahead), "the node keeps what it applied");
                Assert.That(Client.Ready(node).HttpStatus, Is.EqualTo(200), "and keeps answering");
                Assert.That(node.Output, Does.Not.Contain("Local store cleared"), "no bootstrap for a lag");
            });
        }
        finally
        {
            _nats.Resume(2);
        }

        // R2 reads the stream again; the node resumes there after its own sequence and takes a push made on R2.
        _ = PushUntilAcknowledged(r2, block: 3);
        ulong after = Client.Status(r2).Sequence;
        Assert.That(after, Is.GreaterThan(ahead), "registry-2 holds block 3");
        Client.WaitApplied(node, after, Settle);
        Assert.Multiple(() =>
        {
            Assert.That(Client.Digest(node).Digest, Is.EqualTo(Client.Status(r2).Digest), "the node's digest is registry-2's");
            Assert.That(node.OutputLines.Count(l => l.Contains("Bootstrap complete", StringComparison.Ordinal)), Is.EqualTo(1),
                "one bootstrap, the first");
            Assert.That(node.Output, Does.Not.Contain("Local store cleared"));
        });
    }

    /// <summary>Pushes block <paramref name="block"/> to <paramref name="registry"/> until acknowledged (503 while the stream has no leader), at most 20 times in 60 s.</summary>
    private PushResult PushUntilAcknowledged(ClusterProcess registry, int block)
    {
        var clock = Stopwatch.StartNew();
        PushResult? result = null;
        for (int attempt = 0; attempt < 20 && clock.Elapsed < TimeSpan.FromSeconds(60); attempt++)
        {
            try
            {
                using var cts = new CancellationTokenSource(PushTimeout);
                result = Client.Push(registry.RegistryUrl, Deltas.Batch(block, LinesPerPush), cts.Token);
                if (result.Status == HttpStatusCode.OK) return result;
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
            {
                TestContext.Progress.WriteLine($"push to {registry.Name}: {e.Message}");
            }
            Thread.Sleep(500);
        }
        Assert.Fail($"{registry.Name} acknowledged no push of block {block} within 60 s: {result?.Body}");
        return null!;
    }

    // ------------------------------------------------------------------------------------------------ set-up

    private static string NewStream() => "FT" + Guid.NewGuid().ToString("N")[..12];

    private ClusterProcess StartRegistry(string name, string stream, string natsUrls) =>
        Track(ClusterProcess.StartJetStreamRegistry(name, Path.Combine(Root, name), natsUrls, stream));

    /// <summary>
    /// Two registry processes on <paramref name="stream"/> through all three servers, a first push, then node-a
    /// following R1,R2 and node-b following R2,R1, both caught up.
    /// </summary>
    private (ClusterProcess[] Registries, ClusterProcess[] Nodes) StartCluster(string stream)
    {
        ClusterProcess[] registries = [StartRegistry("registry-1", stream, _nats.Urls), StartRegistry("registry-2", stream, _nats.Urls)];
        PushResult first = Client.Push(registries[0].RegistryUrl, Deltas.Batch(block: 1, count: LinesPerPush));
        Assert.That((first.Status, first.Applied), Is.EqualTo((HttpStatusCode.OK, (long)LinesPerPush)), first.Body);
        return (registries, [StartNode("node-a", registries[0], registries[1]), StartNode("node-b", registries[1], registries[0])]);
    }

    private ClusterProcess StartNode(string name, params ClusterProcess[] registries) =>
        Track(ClusterProcess.StartEir(name, Path.Combine(Root, name), [.. registries.Select(r => r.RegistryUrl)], ClusterClient.ReaderToken, true,
            "--Sync:MaxBackoff=00:00:01"));

    /// <summary>The stream's leader as the servers' /jsz names it, else server 0 (still one server of the three).</summary>
    private int LeaderOr0(string stream)
    {
        int leader = _nats.StreamLeaderAsync(stream).GetAwaiter().GetResult();
        TestContext.Progress.WriteLine(leader >= 0 ? $"stream {stream}: leader nats-server {leader}" : $"stream {stream}: no leader named, taking server 0");
        return leader >= 0 ? leader : 0;
    }

    // ------------------------------------------------------------------------------------------------ the pushes

    /// <summary>
    /// Pushes <see cref="LinesPerPush"/> new IMEIs (TAC block <paramref name="firstBlock"/> + i) to R1, R2, R1, … until
    /// <paramref name="before"/> says stop, <paramref name="maxPushes"/> pushes were made or <paramref name="within"/>
    /// has passed. <paramref name="before"/> runs before push i (the failure is injected there).
    /// </summary>
    private List<Attempt> PushStream(ClusterProcess[] registries, int firstBlock, int maxPushes, TimeSpan within, Func<int, bool> before)
    {
        var attempts = new List<Attempt>();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < maxPushes && clock.Elapsed < within; i++)
        {
            if (!before(i)) break;
            int block = firstBlock + i;
            ClusterProcess to = registries[i % registries.Length];
            try
            {
                using var cts = new CancellationTokenSource(PushTimeout);
                PushResult result = Client.Push(to.RegistryUrl, Deltas.Batch(block, LinesPerPush), cts.Token);
                attempts.Add(new Attempt(block, to.Name, result.Status, result.Status == HttpStatusCode.OK ? $"applied {result.Applied}" : result.Body));
                if (result.Status == HttpStatusCode.OK)
                    Assert.That(result.Applied, Is.EqualTo(LinesPerPush), $"push {i} to {to.Name}: every line is new\n{result.Body}");
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
            {
                attempts.Add(new Attempt(block, to.Name, null, e.GetType().Name + ": " + e.Message));
            }
            // A refused push is retried as a client would, after a pause: refusals come fast (a bounded commit, "no
            // response" while the stream elects a leader), and unpaced they would spend every push of the stream
            // inside the few seconds NATS needs to recover.
            if (!attempts[^1].Acknowledged) Thread.Sleep(RetryPause);
        }
        TestContext.Progress.WriteLine($"{attempts.Count} pushes in {clock.Elapsed.TotalSeconds:0.0} s: {attempts.Count(a => a.Acknowledged)} acknowledged");
        return attempts;
    }

    private static string Describe(IEnumerable<Attempt> attempts) =>
        string.Join('\n', attempts.Select((a, i) => $"  push {i} block {a.Block} to {a.To}: {(a.Status is { } s ? ((int)s).ToString(System.Globalization.CultureInfo.InvariantCulture) : "no answer")} {Shorten(a.Detail)}"));

    private static string Shorten(string text) => text.Length > 160 ? text[..160] + "…" : text;

    // ------------------------------------------------------------------------------------------------ what must hold

    /// <summary>A registry's /v1/status, or null while it does not answer.</summary>
    private RegistryStatus? TryStatus(ClusterProcess registry)
    {
        try
        {
            return Client.Status(registry);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or AssertionException)
        {
            return null;
        }
    }

    private void AssertEveryLineAtMostOnceAndTheSameEverywhere(List<Attempt> attempts, ClusterProcess[] registries)
    {
        RegistryStatus?[] statuses = [];
        Eventually.TryUntil(() =>
        {
            statuses = [.. registries.Select(TryStatus)];
            return statuses.All(s => s is not null && s == statuses[0]);
        }, Settle);
        Assert.That(statuses, Has.All.EqualTo(statuses[0]).And.All.Not.Null,
            "every registry process at one sequence, generation and digest (no fork)" + (statuses.All(s => s is not null) ? FirstDifference(registries, statuses.Min(s => s!.Sequence)) : ""));

        var problems = new List<string>();
        long present = LinesPerPush; // the first push, before the stream
        foreach (Attempt attempt in attempts)
        {
            foreach (string imei in Deltas.ImeisOf(attempt.Block, LinesPerPush))
            {
                int[] entries = [.. registries.Select(r => Client.GetImei(r.RegistryUrl, imei) is { } record ? record.GetProperty("history").GetArrayLength() : 0)];
                if (entries.Any(e => e != entries[0]))
                    problems.Add($"{imei} (block {attempt.Block}): {string.Join(" / ", entries)} history entries in the registry processes");
                else if (attempt.Acknowledged && entries[0] != 1)
                    problems.Add($"{imei} (block {attempt.Block}, acknowledged by {attempt.To}): {entries[0]} history entries, not 1");
                else if (entries[0] > 1)
                    problems.Add($"{imei} (block {attempt.Block}, not acknowledged): {entries[0]} history entries");
                present += entries[0];
            }
        }
        Assert.Multiple(() =>
        {
            Assert.That(problems, Is.Empty, $"lines\n{Describe(attempts)}");
            // Only these pushes wrote, one change per line: a change more than the lines present would be a duplicate.
            Assert.That(statuses[0]!.Sequence, Is.EqualTo((ulong)present), "the stream's changes are exactly the lines present");
        });
        TestContext.Progress.WriteLine($"{attempts.Count(a => a.Acknowledged)} of {attempts.Count} pushes acknowledged; " +
            $"{present} lines in both registry processes at sequence {statuses[0]!.Sequence}, digest {statuses[0]!.Digest}");
    }

    /// <summary>
    /// On a fork: the first change, in order of sequence, that two registry processes' feeds hold differently, both
    /// versions (empty when their feeds agree through <paramref name="through"/>, e.g. a view differing from its log).
    /// </summary>
    private string FirstDifference(ClusterProcess[] registries, ulong through)
    {
        List<Change>[] feeds = [.. registries.Select(r => Client.FeedThrough(r.RegistryUrl, through))];
        for (int i = 0; i < feeds[0].Count; i++)
        {
            for (int r = 1; r < feeds.Length; r++)
            {
                if (i >= feeds[r].Count || feeds[r][i] == feeds[0][i]) continue;
                int first = i;
                string Around(List<Change> feed) => string.Join("\n    ", feed.Skip(first).Take(12).Select(c => c.ToString()));
                return $"\nfirst differing change: sequence {feeds[0][i].Sequence}\n  {registries[0].Name}:\n    {Around(feeds[0])}\n  {registries[r].Name}:\n    {Around(feeds[r])}";
            }
        }
        return $"\nthe feeds agree through change {through}: the views differ from the logs";
    }

    private void AssertNodesHoldEveryRegistrysDigest(ClusterProcess[] nodes, ClusterProcess[] registries)
    {
        RegistryStatus head = Client.Status(registries[0]);
        foreach (ClusterProcess node in nodes)
        {
            Client.WaitApplied(node, head.Sequence, Settle);
            (string digest, ulong applied) = Client.Digest(node);
            Assert.That(applied, Is.EqualTo(head.Sequence), $"{node.Name}: lastApplied vs the registries' sequence");
            foreach (ClusterProcess registry in registries)
                Assert.That(digest, Is.EqualTo(Client.Status(registry).Digest), $"{node.Name}'s /v1/digest vs {registry.Name}'s /v1/status digest");
        }
    }
}
