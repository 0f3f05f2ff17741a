using ImeiEir.Core;
using ImeiEir.Registry.JetStream;
using ImeiEir.Testing;

namespace ImeiEir.Registry.Tests.JetStream;

/// <summary>
/// Registry processes (in-process <see cref="RegistryService"/>s, each with a directory of its own) on one change
/// stream of a real three-server JetStream cluster (<c>Registry:Log=JetStream</c>): any of them takes pushes, every one
/// serves the same state, a lost race re-plans against the other's changes.
/// </summary>
public class SeveralRegistriesTests
{
    private const string Header = "imei,list,reason,deadline\n";
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(20);
    private NatsCluster _cluster = null!;

    [OneTimeSetUp]
    public async Task StartCluster() => _cluster = await NatsCluster.StartAsync(3);

    [OneTimeTearDown]
    public void StopCluster() => _cluster?.Dispose();

    private RegistryOptions Options(string stream) => TestData.Options(o =>
    {
        o.Log = RegistryOptions.JetStreamLog;
        o.Nats = StreamChanges.Options(_cluster, stream);
    });

    private static string NewStream() => "R" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Two registry processes on a new stream, each with a directory of its own.</summary>
    private sealed class TwoProcesses : IAsyncDisposable
    {
        private readonly TempDirectory _dirA = new(), _dirB = new();

        public string Stream { get; } = NewStream();

        public RegistryService A { get; private set; } = null!;

        public RegistryService B { get; private set; } = null!;

        public static async Task<TwoProcesses> OpenAsync(SeveralRegistriesTests tests)
        {
            var both = new TwoProcesses();
            both.A = await TestData.OpenAsync(both._dirA.Path, tests.Options(both.Stream));
            both.B = await TestData.OpenAsync(both._dirB.Path, tests.Options(both.Stream));
            return both;
        }

        public async ValueTask DisposeAsync()
        {
            await A.DisposeAsync();
            await B.DisposeAsync();
            _dirA.Dispose();
            _dirB.Dispose();
        }
    }

    private static async Task BothAtAsync(RegistryService a, RegistryService b, ulong sequence) =>
        await Eventually.UntilAsync(() => a.LastSequence == sequence && b.LastSequence == sequence, Settle,
            $"both registry processes at change {sequence}", () => $"a at {a.LastSequence}, b at {b.LastSequence}");

    [Test, CancelAfter(120_000)]
    public async Task Pushes_to_either_process_reach_both_views_with_one_generation_and_one_digest(CancellationToken ct)
    {
        await using TwoProcesses both = await TwoProcesses.OpenAsync(this);
        RegistryService a = both.A, b = both.B;

        DeltaReport first = await TestData.PushCsvAsync(a, $"{Header}{TestData.Text(1)},black,stolen,\n{TestData.Text(2)},black,stolen,\n");
        // b has not necessarily seen a's changes yet: its batch then loses the race, catches up and goes after them.
        DeltaReport second = await TestData.PushCsvAsync(b, $"{Header}{TestData.Text(3)},black,counterfeit,\n");
        await Eventually.UntilAsync(() => a.LastSequence == 3 && b.LastSequence == 3, Settle, "both registry processes at change 3",
            () => $"a at {a.LastSequence}, b at {b.LastSequence}; b's push: applied {second.Applied}, changes {second.FirstSequence}..{second.LastSequence}");

        RegistryStatus statusA = a.GetStatus(), statusB = b.GetStatus();
        Assert.Multiple(() =>
        {
            Assert.That((first.FirstSequence, first.LastSequence), Is.EqualTo((1UL, 2UL)));
            Assert.That((second.Applied, second.FirstSequence), Is.EqualTo((1, 3UL)));
            Assert.That(statusA.Generation, Is.EqualTo(statusB.Generation));
            Assert.That(statusA.Digest, Is.EqualTo(statusB.Digest));
            Assert.That(statusA.Sequence, Is.EqualTo(3UL));
            Assert.That(a.TryGet(TestData.Imei(3), out ImeiRecord fromB) && fromB.List == ListKind.Black, "a serves b's push");
            Assert.That(b.TryGet(TestData.Imei(1), out ImeiRecord fromA) && fromA.List == ListKind.Black, "b serves a's push");
        });
        List<Change> feedA = await TestData.ReadAllAsync(a), feedB = await TestData.ReadAllAsync(b);
        Assert.That(feedB, Is.EqualTo(feedA), "both feeds serve the same changes under the same numbers");
    }

    [Test, CancelAfter(120_000)]
    public async Task The_same_line_pushed_to_both_at_once_is_applied_by_one_and_unchanged_at_the_other(CancellationToken ct)
    {
        await using TwoProcesses both = await TwoProcesses.OpenAsync(this);
        RegistryService a = both.A, b = both.B;

        // Bounded: a few rounds, each one line to both at once; every round must come out applied once.
        for (int round = 0; round < 5; round++)
        {
            string line = $"{Header}{TestData.Text(100 + round)},black,stolen,\n";
            DeltaBatch batchA = await TestData.Csv(line), batchB = await TestData.Csv(line);
            DeltaReport[] reports = await Task.WhenAll(a.ApplyAsync(batchA, false, ct), b.ApplyAsync(batchB, false, ct));

            Assert.Multiple(() =>
            {
                Assert.That(reports.Sum(r => r.Applied), Is.EqualTo(1), $"round {round}: applied once");
                Assert.That(reports.Sum(r => r.Unchanged), Is.EqualTo(1), $"round {round}: unchanged at the other");
            });
        }
        await BothAtAsync(a, b, 5);
        Assert.That(a.GetStatus().Digest, Is.EqualTo(b.GetStatus().Digest));
    }

    [Test, CancelAfter(120_000)]
    public async Task Pushes_of_several_messages_each_to_both_processes_at_once_are_both_applied_whole_one_after_the_other(CancellationToken ct)
    {
        await using TwoProcesses both = await TwoProcesses.OpenAsync(this);
        RegistryService a = both.A, b = both.B;
        const int Lines = ChangeMessage.MaxChanges + 500;   // two messages each
        string Csv(int from) => Header + string.Concat(Enumerable.Range(from, Lines).Select(i => $"{TestData.Text(i)},black,stolen,\n"));

        DeltaReport[] reports = await Task.WhenAll(TestData.PushCsvAsync(a, Csv(1_000)), TestData.PushCsvAsync(b, Csv(10_000)));
        await BothAtAsync(a, b, 2 * Lines);

        DeltaReport first = reports.MinBy(r => r.FirstSequence)!, second = reports.MaxBy(r => r.FirstSequence)!;
        Assert.Multiple(async () =>
        {
            Assert.That(reports.Select(r => r.Applied), Is.EqualTo(new[] { Lines, Lines }), "every line applied once");
            Assert.That((first.FirstSequence, first.LastSequence, second.FirstSequence, second.LastSequence),
                Is.EqualTo((1UL, (ulong)Lines, (ulong)Lines + 1, 2UL * Lines)), "one push whole, then the other whole");
            Assert.That(await StreamChanges.MessagesAsync(_cluster, both.Stream, ct), Is.EqualTo(4UL), "two messages per push");
            Assert.That(a.GetStatus().Digest, Is.EqualTo(b.GetStatus().Digest));
        });
    }

    [Test, CancelAfter(120_000)]
    public async Task A_push_to_one_process_reaches_the_other_s_view_from_the_stream_without_waiting_for_a_poll(CancellationToken ct)
    {
        TimeSpan check = RegistryService.TailCheckInterval;
        RegistryService.TailCheckInterval = TimeSpan.FromHours(1);   // only the follower can bring the push over
        try
        {
            await using TwoProcesses both = await TwoProcesses.OpenAsync(this);
            RegistryService a = both.A, b = both.B;

            await TestData.PushCsvAsync(a, $"{Header}{TestData.Text(1)},black,stolen,\n{TestData.Text(2)},grey,stolen,2031-01-01\n");
            await BothAtAsync(a, b, 2);
            await TestData.PushCsvAsync(a, $"op,imei\nremove,{TestData.Text(1)}\n");
            await BothAtAsync(a, b, 3);

            Assert.Multiple(() =>
            {
                Assert.That(b.TryGet(TestData.Imei(1), out _), Is.False, "a's removal is in b's view");
                Assert.That(b.TryGet(TestData.Imei(2), out ImeiRecord grey) && grey.List == ListKind.Grey);
                Assert.That(b.GetStatus().Digest, Is.EqualTo(a.GetStatus().Digest));
            });
        }
        finally
        {
            RegistryService.TailCheckInterval = check;
        }
    }

    [Test, CancelAfter(120_000)]
    public async Task A_push_s_actor_and_comment_show_in_the_history_of_every_process_following_or_catching_up(CancellationToken ct)
    {
        await using TwoProcesses both = await TwoProcesses.OpenAsync(this);
        RegistryService a = both.A, b = both.B;
        const string Comment = "ticket 42: naïve ✓ 🚓\r\nsecond line";

        DeltaBatch batch = await TestData.Csv($"{Header}{TestData.Text(1)},black,stolen,\n{TestData.Text(2)},black,stolen,\n");
        await a.ApplyAsync(batch, partial: false, "alice-ops", Comment, ct);
        await BothAtAsync(a, b, 2);
        // A third process opened afterwards takes the push by catching up at start, not by following.
        using var dirC = new TempDirectory();
        await using RegistryService c = await TestData.OpenAsync(dirC.Path, Options(both.Stream));

        Assert.Multiple(async () =>
        {
            foreach (RegistryService registry in new[] { a, b, c })
            {
                await foreach (Change change in registry.GetHistoryAsync(TestData.Imei(2), ct))
                    Assert.That(registry.GetAttribution(change), Is.EqualTo(("alice-ops", (string?)Comment)), $"change {change.Sequence}");
            }
        });
    }

    [Test, CancelAfter(120_000)]
    public async Task A_restarted_process_resumes_from_its_checkpoint_and_the_stream_s_tail(CancellationToken ct)
    {
        string stream = NewStream();
        using var dirA = new TempDirectory();
        using var dirB = new TempDirectory();
        await using RegistryService a = await TestData.OpenAsync(dirA.Path, Options(stream));
        RegistryService b = await TestData.OpenAsync(dirB.Path, Options(stream));
        await TestData.PushCsvAsync(a, $"{Header}{TestData.Text(1)},black,stolen,\n{TestData.Text(2)},black,stolen,\n{TestData.Text(3)},grey,stolen,2031-01-01\n");
        await BothAtAsync(a, b, 3);
        await b.DisposeAsync();   // checkpoints its view at change 3

        await TestData.PushCsvAsync(a, $"op,imei\nremove,{TestData.Text(2)}\n");
        await TestData.PushCsvAsync(a, $"{Header}{TestData.Text(4)},black,stolen,\n");
        await using RegistryService again = await TestData.OpenAsync(dirB.Path, Options(stream));

        Assert.Multiple(() =>
        {
            Assert.That(again.RecoveredViewSequence, Is.EqualTo(3UL), "the view came from its checkpoint");
            Assert.That(again.LastSequence, Is.EqualTo(5UL), "and the changes written meanwhile from the stream, before it serves");
            Assert.That(again.GetStatus().Digest, Is.EqualTo(a.GetStatus().Digest));
            Assert.That(again.GetStatus().Generation, Is.EqualTo(a.GetStatus().Generation));
            Assert.That(again.TryGet(TestData.Imei(2), out _), Is.False, "the removal made while it was down");
        });
    }

    [Test, CancelAfter(120_000)]
    public async Task When_the_process_taking_pushes_is_gone_the_other_takes_the_next_push(CancellationToken ct)
    {
        string stream = NewStream();
        using var dirA = new TempDirectory();
        using var dirB = new TempDirectory();
        RegistryService a = await TestData.OpenAsync(dirA.Path, Options(stream));
        await using RegistryService b = await TestData.OpenAsync(dirB.Path, Options(stream));
        await TestData.PushCsvAsync(a, $"{Header}{TestData.Text(1)},black,stolen,\n");
        a.DisposeWithoutCheckpoint();   // as kill -9 leaves it: no checkpoint, no goodbye

        DeltaReport next = await TestData.PushCsvAsync(b, $"{Header}{TestData.Text(2)},black,stolen,\n{TestData.Text(1)},black,stolen,\n");

        Assert.Multiple(() =>
        {
            Assert.That((next.Applied, next.Unchanged), Is.EqualTo((1, 1)), "a's line is already so at b");
            Assert.That((next.FirstSequence, next.LastSequence), Is.EqualTo((2UL, 2UL)), "after a's change, not over it");
        });
    }

    [Test, CancelAfter(120_000)]
    public async Task A_directory_with_a_history_of_its_own_is_refused_on_a_stream(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using (RegistryService local = await TestData.OpenAsync(dir.Path))
        {
            await TestData.PushCsvAsync(local, $"{Header}{TestData.Text(1)},black,stolen,\n");
        }

        InvalidDataException? e = Assert.ThrowsAsync<InvalidDataException>(() => TestData.OpenAsync(dir.Path, Options(NewStream())));
        Assert.That(e!.Message, Does.Contain("empty directory"));
    }
}
