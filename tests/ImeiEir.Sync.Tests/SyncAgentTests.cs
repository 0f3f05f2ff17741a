using ImeiEir.Core;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Sync.Tests;

/// <summary>The agent against a fake registry on Kestrel: bootstrap, follow, restart, and every way a connection goes wrong.</summary>
public class SyncAgentTests
{
    private const int CaughtUpEvent = 3001;
    private const int ReconnectingEvent = 3002;
    private const int RegistryBehindEvent = 3007;
    private const int FeedWindowPassedEvent = 3017;
    private const int CheckpointedEvent = 3010;

    [Test, CancelAfter(20_000)]
    public async Task Bootstraps_from_the_snapshot_then_follows_the_feed()
    {
        await using FakeRegistry registry = await FakeRegistry.StartAsync();
        registry.Append(Model.Changes(1000, 300, seed: 1));
        using var directory = new TempDirectory();
        await using Node node = await Node.StartAsync(Node.Options(registry.Url), directory.Path);

        await node.Agent.FirstCatchUp.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(node.Agent.LastApplied, Is.EqualTo(1000UL));
        Assert.That(Model.Digest(node.Store), Is.EqualTo(Model.Digest(registry.State())));

        registry.Append(Model.Changes(500, 300, seed: 2));
        await Wait.ForAsync(node, 1500);
        Assert.That(Model.Digest(node.Store), Is.EqualTo(Model.Digest(registry.State())));

        SyncStatus status = node.Agent.Status;
        Assert.Multiple(() =>
        {
            Assert.That(registry.Requests.Take(2), Is.EqualTo(new[] { "snapshot", "feed after=1000" }));
            Assert.That(status.State, Is.EqualTo(SyncState.Following));
            Assert.That(status.RegistryHead, Is.EqualTo(1500UL));
            Assert.That(status.LagSequences, Is.Zero);
            Assert.That(status.LagSeconds, Is.Zero);
            Assert.That(status.Reconnects, Is.Zero);
            Assert.That(node.Log.Count(CaughtUpEvent), Is.EqualTo(1));
            Assert.That(node.Log.Lines.Single(l => l.EventId == CaughtUpEvent).Message, Does.Contain("caught up at sequence 1000"));
        });
    }

    [Test, CancelAfter(30_000)]
    public async Task A_restart_resumes_from_the_checkpointed_sequence_without_a_snapshot()
    {
        await using FakeRegistry registry = await FakeRegistry.StartAsync();
        registry.Append(Model.Changes(400, 200, seed: 3));
        using var directory = new TempDirectory();
        AgentSetup options = Node.Options(registry.Url, checkpointEveryChanges: 100);

        ulong checkpointed;
        await using (Node first = await Node.StartAsync(options, directory.Path))
        {
            await first.Agent.FirstCatchUp.WaitAsync(TimeSpan.FromSeconds(10));
            registry.Append(Model.Changes(350, 200, seed: 4));
            await Wait.ForAsync(first, 750);
            // The agent's own checkpoints (after the snapshot, then every 100 changes), not the node's shutdown one.
            await Wait.UntilAsync(() => first.Log.Count(CheckpointedEvent) >= 2, "two checkpoints");
        }
        using (var probe = new ImeiEir.Store.ImeiStore(new ImeiEir.Store.StoreOptions { Directory = directory.Path, ExpectedRecords = 10_000 }))
        {
            Assert.That(probe.TryRecover(), Is.True, probe.RecoveryFailure);
            checkpointed = probe.RecoveredSequence;
        }
        Assert.That(checkpointed, Is.GreaterThan(400UL), "a checkpoint taken while following, not only the one after the snapshot");

        registry.Append(Model.Changes(100, 200, seed: 5));
        int requestsBefore = registry.Requests.Count;
        await using Node second = await Node.StartAsync(options, directory.Path);
        Assert.That(second.Store.RecoveredSequence, Is.EqualTo(checkpointed));
        await second.Agent.FirstCatchUp.WaitAsync(TimeSpan.FromSeconds(10));
        await Wait.ForAsync(second, 850);

        string[] after = registry.Requests.Skip(requestsBefore).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(after[0], Is.EqualTo($"feed after={checkpointed}"));
            Assert.That(after, Has.None.EqualTo("snapshot"));
            Assert.That(Model.Digest(second.Store), Is.EqualTo(Model.Digest(registry.State())));
            Assert.That(second.Log.Lines.Any(l => l.Message.Contains($"local checkpoint at sequence {checkpointed}")));
        });
    }

    [Test, CancelAfter(30_000)]
    public async Task A_recovered_node_that_is_behind_reports_a_finite_lag_before_its_first_change()
    {
        await using FakeRegistry registry = await FakeRegistry.StartAsync();
        registry.Append(Model.Changes(300, 100, seed: 19));
        using var directory = new TempDirectory();
        AgentSetup options = Node.Options(registry.Url, heartbeatTimeout: TimeSpan.FromSeconds(10));
        await using (Node first = await Node.StartAsync(options, directory.Path))
        {
            await first.Agent.FirstCatchUp.WaitAsync(TimeSpan.FromSeconds(10));
            await Wait.UntilAsync(() => first.Log.Count(CheckpointedEvent) >= 1, "the checkpoint after the snapshot");
        }

        registry.Append(Model.Changes(500, 100, seed: 20));
        registry.PauseAfter = 300;
        await using Node second = await Node.StartAsync(options, directory.Path);
        await Wait.UntilAsync(() => second.Agent.Status.State == SyncState.CatchingUp, "the first heartbeat");
        await Wait.UntilAsync(() => second.Agent.Status.LagSeconds >= 0.2, "a lag of 0.2 s", state: () => second.Agent.Status.ToString());
        SyncStatus behind = second.Agent.Status;
        Assert.Multiple(() =>
        {
            Assert.That(behind.LastApplied, Is.EqualTo(300UL));
            Assert.That(behind.LagSequences, Is.EqualTo(500UL));
            Assert.That(double.IsFinite(behind.LagSeconds), Is.True, behind.ToString());
            Assert.That(behind.LagSeconds, Is.InRange(0.2, 5.0));
            Assert.That(second.Agent.FirstCatchUp.IsCompleted, Is.False);
        });

        registry.Release();
        await second.Agent.FirstCatchUp.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(second.Agent.Status.LagSeconds, Is.Zero);
        Assert.That(Model.Digest(second.Store), Is.EqualTo(Model.Digest(registry.State())));
    }

    [TestCase(false), TestCase(true), CancelAfter(20_000)]
    public async Task A_feed_cut_in_the_middle_of_frames_resumes_from_the_last_applied_change(bool cleanly)
    {
        await using FakeRegistry registry = await FakeRegistry.StartAsync();
        registry.SnapshotAtMost = 0; // everything comes through the feed
        registry.CutCleanly = cleanly;
        registry.Append(Model.Changes(3000, 500, seed: 6));
        // Offsets into each connection's body: inside the first heartbeat, inside change frames, on an odd byte.
        registry.CutNextFeeds(5, 17 + 41 * 10 + 20, 17 + 41 * 700 + 1, 17 + 41 * 1000 + 40, 17 + 41 * 500 + 3);

        await using Node node = await Node.StartAsync(Node.Options(registry.Url));
        await node.Agent.FirstCatchUp.WaitAsync(TimeSpan.FromSeconds(10));

        string[] feeds = registry.Requests.Where(r => r.StartsWith("feed")).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(node.Agent.LastApplied, Is.EqualTo(3000UL));
            Assert.That(Model.Digest(node.Store), Is.EqualTo(Model.Digest(registry.State())));
            Assert.That(feeds.Take(6), Is.EqualTo(new[]
            {
                "feed after=0", "feed after=0", "feed after=10", "feed after=710", "feed after=1710", "feed after=2210",
            }));
            Assert.That(node.Agent.Status.Reconnects, Is.EqualTo(5));
            Assert.That(node.Log.Count(ReconnectingEvent), Is.EqualTo(5));
        });
    }

    [TestCase(Garbage.UnknownKind), TestCase(Garbage.UndecodableChange), TestCase(Garbage.Gap), TestCase(Garbage.Regression), CancelAfter(20_000)]
    public async Task A_bad_frame_drops_the_connection_and_nothing_bad_is_applied(Garbage garbage)
    {
        await using FakeRegistry registry = await FakeRegistry.StartAsync();
        registry.SnapshotAtMost = 0;
        registry.GarbageKind = garbage;
        registry.GarbageAfterChanges = 100;
        registry.Append(Model.Changes(300, 100, seed: 7));

        await using Node node = await Node.StartAsync(Node.Options(registry.Url));
        await node.Agent.FirstCatchUp.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Multiple(() =>
        {
            Assert.That(registry.Requests.Where(r => r.StartsWith("feed")).Take(2), Is.EqualTo(new[] { "feed after=0", "feed after=100" }));
            Assert.That(node.Agent.Status.Reconnects, Is.EqualTo(1));
            Assert.That(node.Agent.Status.LastError, Does.Contain(garbage switch
            {
                Garbage.UnknownKind => "unknown kind",
                Garbage.UndecodableChange => "does not decode",
                Garbage.Gap => "sequence 102 where 101 was expected",
                _ => "sequence 100 where 101 was expected",
            }));
            Assert.That(Model.Digest(node.Store), Is.EqualTo(Model.Digest(registry.State())));
            // Never a black/stolen record that the registry did not send (the regression frame carried one).
            Assert.That(node.Store.Scan().Count(r => r.Record.Sequence == 100 && r.Record.List == ListKind.Black && r.Record.Reason == Reason.Stolen),
                Is.EqualTo(registry.State().Count(r => r.Value.Sequence == 100 && r.Value.List == ListKind.Black)));
        });
    }

    [Test, CancelAfter(20_000)]
    public async Task Silence_past_the_heartbeat_timeout_reconnects()
    {
        await using FakeRegistry registry = await FakeRegistry.StartAsync();
        registry.Append(Model.Changes(50, 50, seed: 8));
        registry.SnapshotAtMost = 10;
        registry.SilentOnce = true;
        AgentSetup options = Node.Options(registry.Url, heartbeatTimeout: TimeSpan.FromMilliseconds(700));

        var started = DateTime.UtcNow;
        await using Node node = await Node.StartAsync(options);
        await node.Agent.FirstCatchUp.WaitAsync(TimeSpan.FromSeconds(10));
        TimeSpan took = DateTime.UtcNow - started;

        Assert.Multiple(() =>
        {
            Assert.That(registry.Requests.Where(r => r.StartsWith("feed")).Take(2), Is.EqualTo(new[] { "feed after=10", "feed after=10" }));
            Assert.That(node.Agent.Status.LastError, Does.Contain("no frame from the registry for 0.7 s"));
            Assert.That(took, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(650)));
            Assert.That(node.Agent.LastApplied, Is.EqualTo(50UL));
        });
    }

    [Test, CancelAfter(20_000)]
    public async Task A_registry_that_is_down_at_start_is_retried_with_back_off_until_it_comes_up()
    {
        int port = FakeRegistry.FreePort();
        AgentSetup options = Node.Options(new Uri($"http://127.0.0.1:{port}/"),
            initialBackoff: TimeSpan.FromMilliseconds(20), maxBackoff: TimeSpan.FromMilliseconds(160));
        await using Node node = await Node.StartAsync(options);
        await Wait.UntilAsync(() => node.Agent.Status.Reconnects >= 5, "five failed attempts");

        SyncStatus down = node.Agent.Status;
        (long Delay, int Attempt)[] delays = node.Log.Lines.Where(l => l.EventId == ReconnectingEvent).Select(l => DelayOf(l.Message)).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(down.State, Is.EqualTo(SyncState.Disconnected));
            Assert.That(down.LastError, Does.Contain("cannot connect to the registry"));
            Assert.That(node.Agent.FirstCatchUp.IsCompleted, Is.False);
            // Equal jitter: attempt n waits between half of and min(max, initial·2^(n-1)).
            Assert.That(delays.Select(d => d.Attempt).Take(3), Is.EqualTo(new[] { 1, 2, 3 }));
            foreach ((long delay, int attempt) in delays)
                Assert.That(delay, Is.InRange(Math.Min(160, 20 << (attempt - 1)) / 2 - 1, Math.Min(160, 20 << (attempt - 1))), $"attempt {attempt}");
        });

        await using FakeRegistry registry = await FakeRegistry.StartAsync(port);
        registry.Append(Model.Changes(200, 100, seed: 9));
        await node.Agent.FirstCatchUp.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(node.Agent.LastApplied, Is.EqualTo(200UL));
        Assert.That(Model.Digest(node.Store), Is.EqualTo(Model.Digest(registry.State())));
    }

    [Test, CancelAfter(30_000)]
    public async Task A_registry_behind_the_node_answers_409_and_the_node_bootstraps_again_into_a_cleared_store()
    {
        await using FakeRegistry registry = await FakeRegistry.StartAsync();
        List<Change> history = Model.Changes(1000, 400, seed: 10);
        registry.Append(history);
        using var directory = new TempDirectory();
        await using Node node = await Node.StartAsync(Node.Options(registry.Url), directory.Path);
        await node.Agent.FirstCatchUp.WaitAsync(TimeSpan.FromSeconds(10));

        // Restored from an older backup: the first 600 changes, then 100 different ones numbered 601..700.
        registry.ResetTo(history.Take(600).Concat(Model.Changes(100, 400, seed: 11)));
        await Wait.UntilAsync(() => node.Agent.Status is { LastApplied: 700, State: SyncState.Following }, "the re-bootstrap",
            state: () => node.Agent.Status.ToString());

        Assert.Multiple(() =>
        {
            Assert.That(registry.Requests, Does.Contain("feed after=1000"));
            Assert.That(registry.Count("snapshot"), Is.EqualTo(2));
            Assert.That(node.Log.Lines.Single(l => l.EventId == RegistryBehindEvent).Level, Is.EqualTo(LogLevel.Error));
            Assert.That(Model.Digest(node.Store), Is.EqualTo(Model.Digest(registry.State())));
            Assert.That(node.Store.Scan().Max(r => r.Record.Sequence), Is.LessThanOrEqualTo(700UL));
        });
    }

    [Test, CancelAfter(30_000)]
    public async Task A_node_further_behind_than_the_feed_is_kept_bootstraps_again_and_says_why_without_blaming_the_registry()
    {
        await using FakeRegistry registry = await FakeRegistry.StartAsync();
        List<Change> history = Model.Changes(1000, 400, seed: 13);
        registry.Append(history);
        using var directory = new TempDirectory();
        await using Node node = await Node.StartAsync(Node.Options(registry.Url), directory.Path);
        await node.Agent.FirstCatchUp.WaitAsync(TimeSpan.FromSeconds(10));

        // The node is cut off while 500 more changes are made and retention moves the feed's start past its 1000.
        registry.FeedFirst = 1200;
        registry.ResetTo(history.Concat(Model.Changes(500, 400, seed: 14).Select(c => c with { Sequence = c.Sequence + 1000 })));
        await Wait.UntilAsync(() => node.Agent.Status is { LastApplied: 1500, State: SyncState.Following }, "the re-bootstrap",
            state: () => node.Agent.Status.ToString());

        Assert.Multiple(() =>
        {
            Assert.That(registry.Requests, Does.Contain("feed after=1000"));
            Assert.That(registry.Count("snapshot"), Is.EqualTo(2));
            Assert.That(node.Log.Count(RegistryBehindEvent), Is.Zero, "the registry is not behind: the node is");
            Assert.That(node.Log.Lines.Single(l => l.EventId == FeedWindowPassedEvent).Level, Is.EqualTo(LogLevel.Warning));
            Assert.That(Model.Digest(node.Store), Is.EqualTo(Model.Digest(registry.State())));
        });
    }

    [Test, CancelAfter(20_000)]
    public async Task A_wrong_token_keeps_retrying_with_back_off_and_says_so()
    {
        await using FakeRegistry registry = await FakeRegistry.StartAsync();
        registry.Append(Model.Changes(10, 10, seed: 12));
        await using Node node = await Node.StartAsync(Node.Options(registry.Url, token: "wrong"));
        await Wait.UntilAsync(() => node.Agent.Status.Reconnects >= 3, "three refused attempts");

        SyncStatus status = node.Agent.Status;
        Assert.Multiple(() =>
        {
            Assert.That(status.LastError, Does.Contain("401"));
            Assert.That(status.LastError, Does.Contain("reader token"));
            Assert.That(status.LastError, Does.Not.Contain("wrong"));
            Assert.That(status.LastErrorAt, Is.Not.Null);
            Assert.That(status.State, Is.EqualTo(SyncState.Disconnected));
            Assert.That(node.Agent.FirstCatchUp.IsCompleted, Is.False);
            Assert.That(node.Store.CountRecords(), Is.Zero);
            Assert.That(registry.Requests, Has.All.EqualTo("snapshot"));
            Assert.That(node.Log.Lines.Any(l => l.Message.Contains("wrong")), Is.False, "the token is never logged");
        });
    }

    [Test, CancelAfter(20_000)]
    public async Task Server_errors_are_retried_and_the_node_catches_up_when_they_stop()
    {
        await using FakeRegistry registry = await FakeRegistry.StartAsync();
        registry.Append(Model.Changes(100, 50, seed: 13));
        registry.ForcedStatus = 500;
        await using Node node = await Node.StartAsync(Node.Options(registry.Url));
        await Wait.UntilAsync(() => node.Agent.Status.Reconnects >= 2, "two failed attempts");
        Assert.That(node.Agent.Status.LastError, Does.Contain("HTTP 500"));

        registry.ForcedStatus = null;
        await node.Agent.FirstCatchUp.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(Model.Digest(node.Store), Is.EqualTo(Model.Digest(registry.State())));
    }

    [Test, CancelAfter(20_000)]
    public async Task A_cut_snapshot_is_downloaded_again()
    {
        await using FakeRegistry registry = await FakeRegistry.StartAsync();
        registry.Append(Model.Changes(500, 400, seed: 14));
        registry.SnapshotCutAt = 20 + 24 * 100 + 5;
        await using Node node = await Node.StartAsync(Node.Options(registry.Url));
        await node.Agent.FirstCatchUp.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Multiple(() =>
        {
            Assert.That(registry.Requests.Take(3), Is.EqualTo(new[] { "snapshot", "snapshot", "feed after=500" }));
            Assert.That(node.Log.Lines.Any(l => l.EventId == ReconnectingEvent && l.Message.Contains("snapshot")));
            Assert.That(Model.Digest(node.Store), Is.EqualTo(Model.Digest(registry.State())));
        });
    }

    [Test, CancelAfter(20_000)]
    public async Task First_catch_up_completes_only_when_the_announced_head_is_applied()
    {
        await using FakeRegistry registry = await FakeRegistry.StartAsync();
        registry.SnapshotAtMost = 0;
        registry.PauseAfter = 2000;
        registry.Append(Model.Changes(5000, 1000, seed: 15));
        await using Node node = await Node.StartAsync(Node.Options(registry.Url, heartbeatTimeout: TimeSpan.FromSeconds(10)));

        await Wait.ForAsync(node, 2000);
        await Wait.UntilAsync(() => node.Agent.Status.LagSeconds >= 0.1, "a lag of 0.1 s", state: () => node.Agent.Status.ToString());
        SyncStatus behind = node.Agent.Status;
        Assert.Multiple(() =>
        {
            Assert.That(node.Agent.FirstCatchUp.IsCompleted, Is.False);
            Assert.That(behind.State, Is.EqualTo(SyncState.CatchingUp));
            Assert.That(behind.LastApplied, Is.EqualTo(2000UL));
            Assert.That(behind.RegistryHead, Is.EqualTo(5000UL));
            Assert.That(behind.LagSequences, Is.EqualTo(3000UL));
            Assert.That(behind.LagSeconds, Is.GreaterThanOrEqualTo(0.1));
            Assert.That(node.Log.Count(CaughtUpEvent), Is.Zero);
        });

        ulong appliedAtCompletion = 0;
        Task observed = node.Agent.FirstCatchUp.ContinueWith(_ => appliedAtCompletion = node.Agent.LastApplied, TaskScheduler.Default);
        registry.Release();
        await observed.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(appliedAtCompletion, Is.EqualTo(5000UL));
        Assert.That(node.Log.Count(CaughtUpEvent), Is.EqualTo(1));
    }

    [Test, CancelAfter(20_000)]
    public async Task Checkpoints_follow_the_change_count_and_stop_when_nothing_changes()
    {
        await using FakeRegistry registry = await FakeRegistry.StartAsync();
        registry.SnapshotAtMost = 0;
        using var directory = new TempDirectory();
        AgentSetup options = Node.Options(registry.Url, checkpointEveryChanges: 1000, checkpointInterval: TimeSpan.FromMilliseconds(300));
        await using Node node = await Node.StartAsync(options, directory.Path);
        await node.Agent.FirstCatchUp.WaitAsync(TimeSpan.FromSeconds(10));

        for (int i = 0; i < 5; i++)
        {
            registry.Append(Model.Changes(1000, 500, seed: 16 + i));
            await Wait.ForAsync(node, (ulong)(i + 1) * 1000);
            // None after the empty snapshot (S = 0), then one per 1000 changes.
            await Wait.UntilAsync(() => node.Log.Count(CheckpointedEvent) >= i + 1, $"checkpoint {i + 1}");
        }
        // The interval rule picks up the tail that the count rule left; after that, heartbeats alone change nothing.
        await Wait.UntilAsync(() => node.Log.Lines.Any(l => l.EventId == CheckpointedEvent && l.Message.EndsWith(" 5000", StringComparison.Ordinal)),
            "the checkpoint at sequence 5000");
        int settled = node.Log.Count(CheckpointedEvent);
        // The scenario: three checkpoint intervals (300 ms) of heartbeats and no change; a real-time timer under test.
        await Task.Delay(1000);
        Assert.That(node.Log.Count(CheckpointedEvent), Is.EqualTo(settled), "no checkpoint while nothing changes");
    }

    [Test, CancelAfter(30_000)]
    public async Task A_burst_smaller_than_the_store_takes_no_checkpoint_by_count_until_it_reaches_the_store()
    {
        // A checkpoint copies the whole log, so the count rule waits until the changes since the last checkpoint are
        // at least the records that checkpoint wrote, however low CheckpointEveryChanges is set.
        await using FakeRegistry registry = await FakeRegistry.StartAsync();
        registry.Append(Model.Changes(6000, 1_000_000, seed: 40));
        using var directory = new TempDirectory();
        AgentSetup options = Node.Options(registry.Url, checkpointEveryChanges: 1000, checkpointInterval: TimeSpan.FromHours(1));
        await using Node node = await Node.StartAsync(options, directory.Path);
        await node.Agent.FirstCatchUp.WaitAsync(TimeSpan.FromSeconds(10));
        await Wait.UntilAsync(() => node.Log.Count(CheckpointedEvent) >= 1, "the checkpoint after the snapshot");
        long storeRecords = node.Store.LogRecords;
        Assert.That(storeRecords, Is.GreaterThan(4000), "the snapshot's records, written by that checkpoint");

        // Over 2 x CheckpointEveryChanges, but fewer than the store's records: no checkpoint.
        int burst = (int)storeRecords - 1000;
        registry.Append(Model.Changes(burst, 300, seed: 41));
        await Wait.ForAsync(node, 6000 + (ulong)burst);

        // Past the store's records: the count rule checkpoints. Checkpoints are taken one at a time, in order, so once
        // this one is logged a checkpoint of the burst would have been logged before it.
        registry.Append(Model.Changes(1500, 300, seed: 42));
        await Wait.ForAsync(node, 7500 + (ulong)burst);
        await Wait.UntilAsync(() => node.Log.Count(CheckpointedEvent) >= 2, "a checkpoint once the changes reach the store's records");
        string[] checkpoints = [.. node.Log.Lines.Where(l => l.EventId == CheckpointedEvent).Select(l => l.Message)];
        Assert.That(ulong.Parse(checkpoints[1].Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture), Is.GreaterThan(6000 + (ulong)burst),
            $"{burst} changes into a store of {storeRecords} records: no checkpoint until the changes reached the store's records");
    }

    [Test, CancelAfter(20_000)]
    public async Task A_feed_outlives_the_HttpClient_timeout()
    {
        // HttpClient.Timeout covers a request until its headers (ResponseHeadersRead), not the endless body.
        await using FakeRegistry registry = await FakeRegistry.StartAsync();
        registry.Append(Model.Changes(10, 10, seed: 17));
        using var http = new HttpClient { Timeout = TimeSpan.FromMilliseconds(500) };
        using var store = new ImeiEir.Store.ImeiStore(new ImeiEir.Store.StoreOptions { ExpectedRecords = 100 });
        AgentSetup setup = Node.Options(registry.Url);
        using var agent = new SyncAgent(setup.Options, setup.Registry, store, http, TimeProvider.System, new TestLogger<SyncAgent>());
        await agent.StartAsync(CancellationToken.None);
        try
        {
            await agent.FirstCatchUp.WaitAsync(TimeSpan.FromSeconds(10));
            // The scenario: the feed stays idle (heartbeats only) for longer than the HttpClient's 500 ms timeout.
            await Task.Delay(1500);
            registry.Append(Model.Changes(5, 10, seed: 18));
            await Wait.UntilAsync(() => agent.LastApplied == 15, "the late changes");
            Assert.That(agent.Status.Reconnects, Is.Zero, agent.Status.LastError);
        }
        finally
        {
            await agent.StopAsync(CancellationToken.None);
        }
    }

    [Test, CancelAfter(60_000)]
    public async Task Apply_rate_over_the_feed()
    {
        const int count = 300_000;
        await using FakeRegistry registry = await FakeRegistry.StartAsync();
        registry.SnapshotAtMost = 0;
        registry.HeartbeatInterval = TimeSpan.FromSeconds(1);
        registry.Append(Model.Changes(count, 150_000, seed: 30));
        await using Node node = await Node.StartAsync(Node.Options(registry.Url, heartbeatTimeout: TimeSpan.FromSeconds(10)),
            expectedRecords: 200_000);

        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await node.Agent.FirstCatchUp.WaitAsync(TimeSpan.FromSeconds(45));
        clock.Stop();
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

        double rate = count / clock.Elapsed.TotalSeconds;
        TestContext.Out.WriteLine($"apply rate: {rate:N0} changes/s ({count:N0} changes over loopback HTTP in {clock.Elapsed.TotalMilliseconds:N0} ms; " +
            $"{(double)allocated / count:F1} bytes allocated per change in the whole process, fake registry included)");
        Assert.That(Model.Digest(node.Store), Is.EqualTo(Model.Digest(registry.State())));
    }

    private static (long Delay, int Attempt) DelayOf(string message)
    {
        var match = System.Text.RegularExpressions.Regex.Match(message, @" in (\d+) ms \(attempt (\d+)\)");
        return (long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture),
            int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
    }
}
