using ImeiEir.Core;
using ImeiEir.Registry.JetStream;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace ImeiEir.Registry.Tests.JetStream;

/// <summary>
/// The change log on a real three-server JetStream cluster (Debian's nats-server on loopback ports chosen at run
/// time): round trip, conditional appends, racing writers, the generation kept with the stream. Each test has a
/// stream of its own on one cluster; the failure tests (kill, pause) have clusters of their own.
/// </summary>
public partial class JetStreamChangeStreamTests
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(30);
    private NatsCluster _cluster = null!;

    [OneTimeSetUp]
    public async Task StartCluster() => _cluster = await NatsCluster.StartAsync(3);

    [OneTimeTearDown]
    public void StopCluster() => _cluster?.Dispose();

    [Test, CancelAfter(60_000)]
    public async Task Appended_changes_read_back_in_order_under_their_own_sequence_numbers(CancellationToken ct)
    {
        await using JetStreamChangeStream stream = await JetStreamChangeStream.OpenAsync(StreamChanges.Options(_cluster), ct);
        LoggedChange[] first = StreamChanges.Batch(1, 3, writer: 1, number: 0);
        LoggedChange[] second = StreamChanges.Batch(4, 600, writer: 1, number: 3);   // more than one publish window
        second[5] = second[5] with { Previous = 2 };

        AppendResult a = await stream.AppendAsync(first, ct);
        AppendResult b = await stream.AppendAsync(second, ct);
        List<LoggedChange> all = await StreamChanges.ReadAllAsync(stream, ReadTimeout);
        var middle = new List<LoggedChange>();
        await foreach (LoggedChange change in stream.ReadAsync(100, 102, ct)) middle.Add(change);

        Assert.Multiple(() =>
        {
            Assert.That(a, Is.EqualTo(new AppendResult(AppendOutcome.Appended, 3, 3)));
            Assert.That(b, Is.EqualTo(new AppendResult(AppendOutcome.Appended, 600, 603)));
            Assert.That(all, Is.EqualTo(first.Concat(second)));
            Assert.That(middle.Select(c => c.Change.Sequence), Is.EqualTo(new ulong[] { 100, 101, 102 }));
        });
    }

    [Test, CancelAfter(60_000)]
    public async Task An_append_that_does_not_start_at_the_stream_s_end_loses_the_race_and_stores_nothing(CancellationToken ct)
    {
        await using JetStreamChangeStream stream = await JetStreamChangeStream.OpenAsync(StreamChanges.Options(_cluster), ct);
        await stream.AppendAsync(StreamChanges.Batch(1, 5, writer: 1, number: 0), ct);

        AppendResult behind = await stream.AppendAsync(StreamChanges.Batch(4, 3, writer: 2, number: 0), ct);
        AppendResult ahead = await stream.AppendAsync(StreamChanges.Batch(8, 3, writer: 2, number: 10), ct);
        List<LoggedChange> all = await StreamChanges.ReadAllAsync(stream, ReadTimeout);

        Assert.Multiple(() =>
        {
            Assert.That(behind, Is.EqualTo(new AppendResult(AppendOutcome.LostRace, 0, 5)));
            Assert.That(ahead, Is.EqualTo(new AppendResult(AppendOutcome.LostRace, 0, 5)));
            Assert.That(all.Select(c => c.Change.ImeiKey), Is.EqualTo(Enumerable.Range(0, 5).Select(i => StreamChanges.Key(1, i))));
        });
    }

    // Batches of one message each, then of two and three messages (format 2, ChangeMessage.MaxChanges per message).
    [TestCase(40, 20, 20), TestCase(ChangeMessage.MaxChanges + 300, 900, 6)]
    [CancelAfter(120_000)]
    public async Task Two_writers_racing_from_the_same_end_never_fork_the_log_and_the_loser_is_told_where_it_ends(int size, int larger, int rounds,
        CancellationToken ct)
    {
        NatsOptions options = StreamChanges.Options(_cluster);
        await using JetStreamChangeStream one = await JetStreamChangeStream.OpenAsync(options, ct);
        await using JetStreamChangeStream two = await JetStreamChangeStream.OpenAsync(options, ct);
        JetStreamChangeStream[] writers = [one, two];
        var acknowledged = new Dictionary<ulong, LoggedChange>();
        long[] numbers = [0, 0];
        var outcomes = new List<string>();

        for (int round = 0; round < rounds; round++)
        {
            // Both have caught up to the same end and append batches of different lengths from it at once.
            ulong end = await one.LastSequenceAsync(ct);
            LoggedChange[][] batches = [.. Enumerable.Range(0, 2).Select(w => StreamChanges.Batch(end + 1, size + larger * w, w + 1, numbers[w]))];
            AppendResult[] results = await Task.WhenAll(writers.Select((w, i) => w.AppendAsync(batches[i], ct)));
            outcomes.Add(string.Join(" | ", results));
            for (int w = 0; w < 2; w++)
            {
                foreach (LoggedChange change in batches[w].Take(results[w].Written))
                    Assert.That(acknowledged.TryAdd(change.Change.Sequence, change), Is.True,
                        $"round {round}: sequence {change.Change.Sequence} acknowledged twice\n{string.Join('\n', outcomes)}");
                numbers[w] += results[w].Written;
            }
            Assert.That(results.Count(r => r.Outcome == AppendOutcome.Appended), Is.EqualTo(1),
                $"round {round}: exactly one writer appends\n{string.Join('\n', outcomes)}");
            AppendResult loser = results.Single(r => r.Outcome == AppendOutcome.LostRace);
            AppendResult winner = results.Single(r => r.Outcome == AppendOutcome.Appended);
            // The loser may look at the stream's end while the winner's last changes are still on their way.
            Assert.That(loser.Written, Is.Zero, $"round {round}");
            Assert.That(loser.StreamLastSequence, Is.InRange(end + 1, winner.StreamLastSequence), $"round {round}");
        }

        List<LoggedChange> all = await StreamChanges.ReadAllAsync(one, ReadTimeout);
        Assert.Multiple(() =>
        {
            Assert.That(all.Select(c => c.Change.Sequence), Is.EqualTo(Enumerable.Range(1, all.Count).Select(i => (ulong)i)));
            Assert.That(all, Is.EqualTo(acknowledged.OrderBy(p => p.Key).Select(p => p.Value)), "the stream holds exactly the acknowledged changes");
        });
    }

    [Test, CancelAfter(60_000)]
    public async Task Every_client_of_one_stream_gets_the_generation_created_with_it(CancellationToken ct)
    {
        NatsOptions options = StreamChanges.Options(_cluster);
        // Two registries starting at once both find no stream and both try to create it.
        JetStreamChangeStream[] clients = await Task.WhenAll(
            JetStreamChangeStream.OpenAsync(options, ct), JetStreamChangeStream.OpenAsync(options, ct));
        RegistryGeneration[] generations = [.. clients.Select(c => c.Generation)];
        foreach (JetStreamChangeStream client in clients) await client.DisposeAsync();
        await using JetStreamChangeStream later = await JetStreamChangeStream.OpenAsync(options, ct);
        await using JetStreamChangeStream other = await JetStreamChangeStream.OpenAsync(StreamChanges.Options(_cluster), ct);

        Assert.Multiple(() =>
        {
            Assert.That(generations[0].IsNone, Is.False);
            Assert.That(generations[1], Is.EqualTo(generations[0]));
            Assert.That(later.Generation, Is.EqualTo(generations[0]));
            Assert.That(other.Generation, Is.Not.EqualTo(generations[0]), "another stream is another history");
        });
    }

    [Test, CancelAfter(60_000)]
    public async Task A_stream_of_that_name_that_is_not_a_change_log_is_refused_with_its_name(CancellationToken ct)
    {
        NatsOptions options = StreamChanges.Options(_cluster);
        await using (var connection = new NatsConnection(NatsOpts.Default with { Url = _cluster.Urls }))
            await new NatsJSContext(connection).CreateStreamAsync(new StreamConfig(options.Stream, ["other." + options.Stream]), ct);

        InvalidDataException? e = Assert.ThrowsAsync<InvalidDataException>(() => JetStreamChangeStream.OpenAsync(options, ct));
        Assert.That(e!.Message, Does.Contain($"stream {options.Stream} is not an ImeiEir change log"));
    }

    [Test, CancelAfter(60_000)]
    public async Task A_stream_of_the_one_change_per_message_format_is_refused_naming_its_format(CancellationToken ct)
    {
        NatsOptions options = StreamChanges.Options(_cluster);
        await using (var connection = new NatsConnection(NatsOpts.Default with { Url = _cluster.Urls }))
        {
            await new NatsJSContext(connection).CreateStreamAsync(new StreamConfig(options.Stream, [options.Stream + ".changes"])
            {
                Description = "imeieir change log, generation " + RegistryGeneration.NewRandom(),
            }, ct);
        }

        InvalidDataException? e = Assert.ThrowsAsync<InvalidDataException>(() => JetStreamChangeStream.OpenAsync(options, ct));
        Assert.That(e!.Message, Does.Contain($"stream {options.Stream} holds an ImeiEir change log in format 1, this registry reads format 2"));
        Assert.That(e.Message, Does.Not.Contain("\n"), "one line");
    }

    [Test]
    public void A_batch_whose_sequences_do_not_follow_each_other_is_refused_before_anything_is_sent()
    {
        ArgumentException? e = Assert.ThrowsAsync<ArgumentException>(async () =>
        {
            await using JetStreamChangeStream stream = await JetStreamChangeStream.OpenAsync(StreamChanges.Options(_cluster), CancellationToken.None);
            await stream.AppendAsync([StreamChanges.One(1, 1, 0), StreamChanges.One(3, 1, 1)], CancellationToken.None);
        });
        Assert.That(e!.Message, Does.Contain("change 1 has sequence 3, not 2"));
    }

    [Test, CancelAfter(30_000)]
    public void Opening_with_no_server_answering_is_a_clear_unavailable_error(CancellationToken ct)
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int closed = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var options = new NatsOptions { Url = $"nats://127.0.0.1:{closed}" };

        ChangeStreamUnavailableException? e = Assert.ThrowsAsync<ChangeStreamUnavailableException>(
            () => JetStreamChangeStream.OpenAsync(options, ct));
        Assert.That(e!.Message, Does.Contain($"nats://127.0.0.1:{closed}"));
    }
}
