using System.Diagnostics;
using ImeiEir.Registry.JetStream;
using NATS.Client.Core;
using NATS.Client.JetStream;

namespace ImeiEir.Registry.Tests.JetStream;

/// <summary>
/// The change log while a NATS server fails: SIGKILL of the stream's leader, and SIGSTOP of it for 10 s (a
/// partition: its sockets stay open, it answers nothing) with a writer stuck on it. Afterwards every acknowledged
/// change is in the stream exactly once, under the sequence it was acknowledged with, and nothing else is.
/// Each test has a cluster of its own.
/// </summary>
[NonParallelizable]
public class ChangeStreamFailureTests
{
    private const int MaxChanges = 1_000_000;   // a bound; the tests stop the writers long before
    private const int BatchSize = 20;
    private static readonly TimeSpan WriteBound = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan ProgressTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(150);

    [Test, CancelAfter(180_000)]
    public async Task Every_acknowledged_change_is_in_the_stream_exactly_once_after_kill_9_of_its_leader_mid_stream(CancellationToken ct)
    {
        using NatsCluster cluster = await NatsCluster.StartAsync(3);
        NatsOptions options = StreamChanges.Options(cluster);
        await using JetStreamChangeStream stream = await JetStreamChangeStream.OpenAsync(options, ct);
        var writer = new CatchingUpWriter(stream, writer: 1);
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bound.CancelAfter(WriteBound);
        using var stop = new CancellationTokenSource();

        Task writing = Task.Run(() => writer.WriteAsync(MaxChanges, BatchSize, stop.Token, bound.Token), ct);
        await Eventually.UntilAsync(() => writer.Count >= 400 || writing.IsCompleted, ProgressTimeout, "400 changes written", cluster.Transcripts);
        int leader = await LeaderAsync(cluster, options.Stream, ct);
        int before = writer.Count;
        cluster.Kill(leader);   // while a batch is in flight
        await Eventually.UntilAsync(() => writer.Count >= before + 400 || writing.IsCompleted, ProgressTimeout,
            "400 more changes written with the leader dead", cluster.Transcripts);
        await stop.CancelAsync();
        await Eventually.CompletesAsync(writing, WriteBound, "the writer to settle its last batch");
        await writing;

        List<LoggedChange> all = await StreamChanges.ReadAllAsync(stream, TimeSpan.FromSeconds(60));
        string summary = $"killed n{leader} after {before} changes, {all.Count} at the end; {writer.Unavailable} unavailable answers";
        TestContext.Out.WriteLine(summary);
        AssertExactlyOnce(all, [writer], summary + "\n" + cluster.Transcripts());

        // The killed server comes back on its ports and store, and a client of it alone reads the same log.
        await cluster.RestartAsync(leader);
        await using JetStreamChangeStream restarted = await JetStreamChangeStream.OpenAsync(
            new NatsOptions { Url = cluster.ClientUrl(leader), Stream = options.Stream }, ct);
        Assert.That(await StreamChanges.ReadAllAsync(restarted, TimeSpan.FromSeconds(60)), Is.EqualTo(all), "read through the restarted server");
    }

    [Test, CancelAfter(180_000)]
    public async Task Pausing_the_leader_for_10_s_while_two_writers_append_forks_nothing_and_loses_nothing(CancellationToken ct)
    {
        using NatsCluster cluster = await NatsCluster.StartAsync(3);
        NatsOptions options = StreamChanges.Options(cluster);
        await using (await JetStreamChangeStream.OpenAsync(options, ct)) { }   // create the stream
        int leader = await LeaderAsync(cluster, options.Stream, ct);
        int[] others = [.. Enumerable.Range(0, 3).Where(i => i != leader)];
        // One writer talks to the leader only: its requests hang while the leader is stopped and arrive, late, after
        // it resumes, at a server that still believed itself leader. The other talks to the two others.
        await using JetStreamChangeStream onLeader = await JetStreamChangeStream.OpenAsync(
            new NatsOptions { Url = cluster.ClientUrl(leader), Stream = options.Stream }, ct);
        await using JetStreamChangeStream onOthers = await JetStreamChangeStream.OpenAsync(
            new NatsOptions { Url = string.Join(',', others.Select(cluster.ClientUrl)), Stream = options.Stream }, ct);
        CatchingUpWriter[] writers = [new(onLeader, writer: 1), new(onOthers, writer: 2)];
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bound.CancelAfter(WriteBound);
        using var stop = new CancellationTokenSource();

        Task[] writing = [.. writers.Select(w => Task.Run(() => w.WriteAsync(MaxChanges, BatchSize, Pace, stop.Token, bound.Token), ct))];
        await Eventually.UntilAsync(() => writers.All(w => w.Count >= 200) || writing.Any(t => t.IsCompleted),
            ProgressTimeout, "both writers under way", cluster.Transcripts);
        cluster.Pause(leader);
        int[] atPause = [.. writers.Select(w => w.Count)];
        await Task.Delay(TimeSpan.FromSeconds(10), ct);
        int[] atResume = [.. writers.Select(w => w.Count)];
        cluster.Resume(leader);
        await Eventually.UntilAsync(() => writers.All(w => w.Count >= atResume[Array.IndexOf(writers, w)] + 200) || writing.Any(t => t.IsCompleted),
            ProgressTimeout, "both writers going on after the resume", cluster.Transcripts);
        await stop.CancelAsync();
        await Eventually.CompletesAsync(Task.WhenAll(writing), WriteBound, "both writers to settle their last batch");
        await Task.WhenAll(writing);

        await using JetStreamChangeStream reader = await JetStreamChangeStream.OpenAsync(options, ct);
        List<LoggedChange> all = await StreamChanges.ReadAllAsync(reader, TimeSpan.FromSeconds(60));
        string summary = $"paused n{leader}; written at pause {string.Join('/', atPause)}, at resume {string.Join('/', atResume)}, at the end {all.Count}; " +
            $"lost races {writers[0].LostRaces}/{writers[1].LostRaces}, unavailable {writers[0].Unavailable}/{writers[1].Unavailable}";
        TestContext.Out.WriteLine(summary);
        AssertExactlyOnce(all, writers, summary + "\n" + cluster.Transcripts());
        Assert.That(writers.Sum(w => w.LostRaces), Is.Positive, "the writers did race");
    }

    private static void AssertExactlyOnce(List<LoggedChange> all, IReadOnlyList<CatchingUpWriter> writers, string context)
    {
        var bySequence = all.ToDictionary(c => c.Change.Sequence);
        Assert.Multiple(() =>
        {
            Assert.That(all.Select(c => c.Change.Sequence), Is.EqualTo(Enumerable.Range(1, all.Count).Select(i => (ulong)i)), context);
            Assert.That(all.GroupBy(c => c.Change.ImeiKey).Where(g => g.Count() > 1).Select(g => g.Key), Is.Empty,
                "no change is in the stream twice: " + context);
            for (int w = 0; w < writers.Count; w++)
            {
                CatchingUpWriter writer = writers[w];
                foreach ((long number, ulong sequence) in writer.Written)
                {
                    if (!bySequence.TryGetValue(sequence, out LoggedChange found) || found.Change.ImeiKey != StreamChanges.Key(w + 1, number))
                    {
                        Assert.Fail($"writer {w + 1}'s change {number}, acknowledged at {sequence}, is not there: " + context);
                        return;
                    }
                }
            }
            Assert.That(all, Has.Count.EqualTo(writers.Sum(w => w.Written.Count)), "the stream holds the writers' changes and nothing else: " + context);
        });
    }

    private static async Task<int> LeaderAsync(NatsCluster cluster, string streamName, CancellationToken ct)
    {
        await using var connection = new NatsConnection(NatsOpts.Default with { Url = cluster.Urls });
        var js = new NatsJSContext(connection);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                INatsJSStream stream = await js.GetStreamAsync(streamName, cancellationToken: ct);
                if (stream.Info.Cluster?.Leader is { Length: > 1 } name) return int.Parse(name[1..], System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (NatsJSApiNoResponseException)
            {
                // a loaded machine: ask again
            }
            if (clock.Elapsed > TimeSpan.FromSeconds(30)) Assert.Fail($"stream {streamName} has no leader after 30 s");
            await Task.Delay(100, ct);
        }
    }
}
