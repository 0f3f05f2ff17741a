using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using ImeiEir.Core;
using ImeiEir.Store;

namespace ImeiEir.Integration.Tests;

/// <summary>
/// SIGKILL, the crash nothing can clean up after, of an EIR node in the middle of a catch-up and of the registry
/// around a push; then a restart on the same data directory and a look at what survived.
/// </summary>
/// <remarks>Runs on a Local registry only (see <see cref="ClusterFixture"/>): it is about one registry process's own log and checkpoints (JetStreamFailureTests kill registry processes and NATS servers).</remarks>
[TestFixture]
[NonParallelizable]
public sealed partial class CrashRecoveryTests : ClusterFixture
{
    private static readonly TimeSpan CatchUpWithin = TimeSpan.FromSeconds(60);

    protected override string Name => "crash";

    private string RegistryDir => Path.Combine(Root, "registry");

    private ClusterProcess StartRegistry(string name = "registry") =>
        Track(ClusterProcess.StartRegistry(name, RegistryDir, ClusterClient.AdminToken, ClusterClient.ReaderToken));

    // ---------------------------------------------------------------- EIR node

    [Test]
    [CancelAfter(180_000)]
    public void Node_killed_mid_catch_up_resumes_from_its_checkpoint_ends_with_the_registrys_digest()
    {
        // The node must be killed after a checkpoint taken during its catch-up is on disk and before the catch-up
        // ends. A Release node applies a few hundred thousand changes a second here, about as long as a checkpoint of
        // a few hundred thousand records takes, so the backlog is near the registry's largest delta (1M lines): the
        // first checkpoint (after Sync:CheckpointInterval, short here) has seconds to finish. On a busy machine it
        // can still finish only after the catch-up: then the attempt is retried with another backlog.
        const int Backlog = 900_000;
        const int MaxAttempts = 4;
        ClusterProcess registry = StartRegistry();
        Assert.That(Client.Push(registry.RegistryUrl, Deltas.Batch(block: 10, count: 5_000)).Status, Is.EqualTo(HttpStatusCode.OK));

        string nodeDir = Path.Combine(Root, "node");
        string[] nodeArgs =
        [
            "--Sync:CheckpointEveryChanges=10000",
            "--Sync:CheckpointInterval=00:00:00.2",
            "--Sync:MaxBackoff=00:00:01",
            "--Logging:LogLevel:ImeiEir.Sync=Debug",
        ];
        ClusterProcess node = Track(ClusterProcess.StartEir("node", nodeDir, registry.RegistryUrl, ClusterClient.ReaderToken, true, nodeArgs));
        Client.AssertSameState(registry, node, CatchUpWithin);
        Assert.That(node.Stop(), Is.Zero, "node exit code after SIGTERM");

        ulong before = 0, head = 0, lastCheckpointBeforeKill = 0;
        bool killedMidCatchUp = false;
        for (int attempt = 1; attempt <= MaxAttempts && !killedMidCatchUp; attempt++)
        {
            before = Client.Snapshot(registry.RegistryUrl).Sequence;

            // The backlog, pushed while the node is down.
            var push = Stopwatch.StartNew();
            PushResult backlog = Client.Push(registry.RegistryUrl, Deltas.Batch(block: 10 + attempt, count: Backlog));
            Assert.That(backlog.Status, Is.EqualTo(HttpStatusCode.OK), backlog.Body);
            head = backlog.LastSequence;
            TestContext.Progress.WriteLine($"attempt {attempt}: backlog of {Backlog} pushed in {push.ElapsedMilliseconds} ms: sequences {before + 1}..{head}");

            // Restart: it resumes from its checkpoint, at or before `before`. SIGKILL the moment its log says a
            // checkpoint past `before` is on disk: waiting on the output, not polling HTTP, so the kill lands within
            // a log line's delay of the checkpoint, while the rest of the backlog is still being applied.
            ClusterProcess catchingUp = Track(ClusterProcess.StartEir($"node-catching-up-{attempt}", nodeDir, registry.RegistryUrl, ClusterClient.ReaderToken, false, nodeArgs));
            bool checkpointPastStart = catchingUp.WaitForOutput(l => CheckpointedAt(l) > before || l.Contains($"Sync caught up at sequence {head} "),
                CatchUpWithin, out string line) && CheckpointedAt(line) > before;
            if (checkpointPastStart)
                catchingUp.Kill9();
            else if (catchingUp.HasExited)
                Assert.Fail($"the node exited during its catch-up\n{catchingUp.Output}");
            else
                Assert.That(catchingUp.Stop(), Is.Zero, "node exit code after SIGTERM");
            // Everything it wrote before it died is read by now: did the catch-up end before the kill?
            bool finished = catchingUp.OutputLines.Any(l => l.Contains($"Sync caught up at sequence {head} "));
            lastCheckpointBeforeKill = catchingUp.OutputLines.Select(CheckpointedAt).DefaultIfEmpty(0UL).Max();
            killedMidCatchUp = checkpointPastStart && !finished;
            if (!killedMidCatchUp)
                TestContext.Progress.WriteLine($"attempt {attempt}: caught up before a checkpoint past {before} was on disk (last checkpoint {lastCheckpointBeforeKill}); trying a new backlog");
        }
        if (!killedMidCatchUp)
            Assert.Fail($"in {MaxAttempts} attempts the node always caught up on {Backlog} changes before a checkpoint past the start was on disk");
        TestContext.Progress.WriteLine($"killed mid catch-up of {before + 1}..{head}: last checkpoint logged before the kill {lastCheckpointBeforeKill}");

        // Restart after the crash: local recovery and the feed from the checkpoint; no snapshot, not from 0.
        ClusterProcess recovered = Track(ClusterProcess.StartEir("node-recovered", nodeDir, registry.RegistryUrl, ClusterClient.ReaderToken, true, nodeArgs));
        Assert.That(recovered.WaitForOutput(l => ResumedAt(l) is not null, TimeSpan.FromSeconds(5), out string resumedLine), Is.True,
            $"the restarted node says where it resumes\n{recovered.Output}");
        ulong resumed = ResumedAt(resumedLine)!.Value;
        TestContext.Progress.WriteLine($"restart: {resumedLine.Trim()}");
        Assert.Multiple(() =>
        {
            Assert.That(resumed, Is.GreaterThan(before), "resumed from a checkpoint taken during the catch-up, not the one before the backlog");
            Assert.That(resumed, Is.GreaterThanOrEqualTo(lastCheckpointBeforeKill), "not older than the last checkpoint it reported");
            Assert.That(resumed, Is.LessThan(head), "it had not finished: the rest comes from the feed");
            Assert.That(recovered.Output, Does.Not.Contain("Bootstrapping from the registry snapshot"), "no full download");
        });
        Client.AssertSameState(registry, recovered, CatchUpWithin);
    }

    private static ulong CheckpointedAt(string line)
    {
        Match m = CheckpointPattern().Match(line);
        return m.Success ? ulong.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    private static ulong? ResumedAt(string line)
    {
        Match m = ResumedPattern().Match(line);
        return m.Success ? ulong.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }

    [GeneratedRegex(@"Local checkpoint taken at sequence (\d+)")]
    private static partial Regex CheckpointPattern();

    [GeneratedRegex(@"Resuming the registry feed from the local checkpoint at sequence (\d+)")]
    private static partial Regex ResumedPattern();

    // ---------------------------------------------------------------- registry

    [Test]
    [CancelAfter(120_000)]
    public void Registry_killed_right_after_the_ack_the_batch_is_there_after_restart()
    {
        const int Lines = 20_000;
        ClusterProcess registry = StartRegistry();
        PushResult earlier = Client.Push(registry.RegistryUrl, Deltas.Batch(block: 20, count: 1_000));
        Assert.That(earlier.Status, Is.EqualTo(HttpStatusCode.OK), earlier.Body);

        PushResult acked = Client.Push(registry.RegistryUrl, Deltas.Batch(block: 21, count: Lines));
        registry.Kill9(); // the very next thing after the 200 was read
        Assert.That(acked.Status, Is.EqualTo(HttpStatusCode.OK), acked.Body);
        Assert.That(acked.Applied, Is.EqualTo(Lines));
        Release(registry);

        registry = StartRegistry("registry-restarted");
        RegistrySnapshot snapshot = Client.Snapshot(registry.RegistryUrl);

        // Every acknowledged record, exactly as acknowledged: list, reason, deadline and the sequence the reply gave it.
        uint greyDeadline = (uint)new DateTimeOffset(2030, 12, 31, 0, 0, 0, TimeSpan.FromHours(5)).ToUnixTimeSeconds();
        var expected = new List<(Imei, ImeiRecord)>();
        foreach ((int block, int count, PushResult push) in new[] { (20, 1_000, earlier), (21, Lines, acked) })
        {
            for (int i = 0; i < count; i++)
            {
                (ListKind list, _) = Deltas.LineOf(block, i);
                string imei = Deltas.ImeiOf(block, i);
                Reason reason = list switch { ListKind.White => Reason.Verified, ListKind.Black => Reason.Stolen, _ => Reason.Unverified };
                expected.Add((Imei.Parse(imei), new ImeiRecord(list, reason, list == ListKind.Grey ? greyDeadline : 0, push.SequenceByImei[imei])));
            }
        }
        int missing = expected.Count(e => !snapshot.Records.TryGetValue(e.Item1.Key, out ImeiRecord r) || r != e.Item2);
        Assert.Multiple(() =>
        {
            Assert.That(snapshot.Sequence, Is.EqualTo(acked.LastSequence), "the registry's head after restart = the acknowledged batch's lastSequence");
            Assert.That(missing, Is.Zero, $"acknowledged records missing or different after the restart (of {expected.Count})");
            Assert.That(snapshot.Records, Has.Count.EqualTo(expected.Count), "no other records");
            Assert.That(snapshot.Digest, Is.EqualTo(StateDigest.Compute(expected).ToString()), "digest over all records");
        });

        // The per-IMEI view agrees: the last line's record and history carry the batch's last sequence.
        string lastImei = Deltas.ImeiOf(21, Lines - 1);
        JsonElement record = Client.GetImei(registry.RegistryUrl, lastImei)
                             ?? throw new AssertionException($"GET /v1/imei/{lastImei}: 404 after the restart");
        Assert.Multiple(() =>
        {
            Assert.That(record.GetProperty("sequence").GetUInt64(), Is.EqualTo(acked.LastSequence));
            Assert.That(record.GetProperty("history").EnumerateArray().Last().GetProperty("sequence").GetUInt64(), Is.EqualTo(acked.LastSequence));
            Assert.That(record.GetProperty("list").GetString(), Is.EqualTo(Deltas.LineOf(21, Lines - 1).List.ToName()));
        });

        // And it keeps numbering from there.
        PushResult next = Client.Push(registry.RegistryUrl, Deltas.Batch(block: 22, count: 10));
        Assert.That(next.Status, Is.EqualTo(HttpStatusCode.OK), next.Body);
        Assert.That(next.SequenceByImei[Deltas.ImeiOf(22, 0)], Is.EqualTo(acked.LastSequence + 1), "the next change after a crash continues the sequence");
    }

    [Test]
    [CancelAfter(180_000)]
    public void Registry_killed_during_a_push_the_batch_is_wholly_there_or_wholly_absent()
    {
        const int Lines = 100_000;
        const int Rounds = 5;
        int seed = Environment.TickCount;
        var random = new Random(seed);
        TestContext.Progress.WriteLine($"random delays, seed {seed}");

        ClusterProcess registry = StartRegistry();
        // A full push first: what is there before every kill, and how long a push takes on this machine.
        var watch = Stopwatch.StartNew();
        PushResult baseline = Client.Push(registry.RegistryUrl, Deltas.Batch(block: 30, count: Lines));
        double pushMs = watch.Elapsed.TotalMilliseconds;
        Assert.That(baseline.Status, Is.EqualTo(HttpStatusCode.OK), baseline.Body);
        TestContext.Progress.WriteLine($"a {Lines}-line push takes {pushMs:0} ms");

        var outcomes = new List<string>();
        for (int round = 1; round <= Rounds; round++)
        {
            int block = 30 + round;
            string csv = Deltas.Batch(block, Lines);
            // Spread the kills over the first 60 % of a push (upload and parse, then the log append and commit; the
            // rest of a push's time is the 200 reply's per-line report), one random delay per slice.
            int delayMs = (int)(pushMs * (0.03 + 0.6 * (round - 1 + random.NextDouble()) / Rounds));
            using var request = ClusterClient.PushRequest(registry.RegistryUrl, csv);
            Task<HttpResponseMessage> sending = Client.Http.SendAsync(request);
            Thread.Sleep(delayMs); // the scenario: the kill lands at a random point of the push
            bool answeredBeforeKill = sending.IsCompletedSuccessfully && sending.Result.StatusCode == HttpStatusCode.OK;
            registry.Kill9();
            bool commitLogged = registry.OutputLines.Count(l => l.Contains("Registry batch committed", StringComparison.Ordinal)) > (round == 1 ? 1 : 0);
            string reply;
            try
            {
                using HttpResponseMessage response = sending.GetAwaiter().GetResult();
                reply = $"HTTP {(int)response.StatusCode}";
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                reply = $"no reply ({e.GetType().Name})";
            }
            Release(registry);

            registry = StartRegistry($"registry-{round}");
            RegistrySnapshot snapshot = Client.Snapshot(registry.RegistryUrl);
            int present = Deltas.ImeisOf(block, Lines).Count(i => snapshot.Records.ContainsKey(Imei.Parse(i).Key));
            int baselinePresent = Deltas.ImeisOf(30, Lines).Count(i => snapshot.Records.ContainsKey(Imei.Parse(i).Key));
            string outcome = $"round {round}: killed after {delayMs} ms ({reply}{(answeredBeforeKill ? ", acknowledged before the kill" : "")}{(commitLogged ? ", commit logged" : ", no commit logged")}): {present} of {Lines} present, head {snapshot.Sequence}";
            outcomes.Add(outcome);
            TestContext.Progress.WriteLine(outcome);
            Assert.Multiple(() =>
            {
                Assert.That(present, Is.EqualTo(0).Or.EqualTo(Lines), "the batch is wholly there or wholly absent: " + outcome);
                if (answeredBeforeKill) Assert.That(present, Is.EqualTo(Lines), "acknowledged, so it must be there: " + outcome);
                Assert.That(baselinePresent, Is.EqualTo(Lines), "the earlier acknowledged batch is intact: " + outcome);
            });
        }
        TestContext.Out.WriteLine(string.Join('\n', outcomes));
    }
}
