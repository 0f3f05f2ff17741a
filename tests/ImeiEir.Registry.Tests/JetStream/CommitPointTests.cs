using System.Runtime.CompilerServices;
using ImeiEir.Core;
using ImeiEir.Registry.JetStream;
using Microsoft.Extensions.Logging.Abstractions;

namespace ImeiEir.Registry.Tests.JetStream;

/// <summary>The writer against a commit point that misbehaves (a fake: what a real stream does is in the cluster tests).</summary>
public class CommitPointTests
{
    /// <summary>Says another writer is at 5, then never delivers those changes (a stream stalled mid-read).</summary>
    private sealed class StalledStream : ICommitPoint
    {
        public int Commits;

        public Task<AppendResult> CommitAsync(IReadOnlyList<LoggedChange> batch, Attribution by, CancellationToken ct)
        {
            Commits++;
            return Task.FromResult(new AppendResult(AppendOutcome.LostRace, 0, 5));
        }

        public Task<ulong> LastSequenceAsync(CancellationToken ct) => Task.FromResult(5UL);

        public async IAsyncEnumerable<LoggedChange> ReadAsync(ulong from, ulong through, [EnumeratorCancellation] CancellationToken ct)
        {
            await Task.Delay(Timeout.Infinite, ct);
            yield break;
        }

        public async IAsyncEnumerable<IReadOnlyList<LoggedChange>> FollowAsync(ulong from, [EnumeratorCancellation] CancellationToken ct)
        {
            await Task.Delay(Timeout.Infinite, ct);
            yield break;
        }
    }

    [Test, CancelAfter(30_000)]
    public async Task A_catch_up_that_stalls_ends_in_a_retryable_refusal_and_frees_the_writer(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        RegistryOptions options = TestData.Options();
        using ChangeLog log = ChangeLog.Open(Path.Combine(dir.Path, "log"));
        log.Scan(0, (_, _) => { });
        using AttributionLog attribution = AttributionLog.Open(dir.Path, 0);
        using RegistryView view = RegistryView.Open(options, Path.Combine(dir.Path, "view"));
        var stalled = new StalledStream();
        var writer = new RegistryWriter(log, attribution, view, new PublishedSequence(0), TimeProvider.System, NullLogger.Instance, "test",
            commitPoint: stalled) { CatchUpTimeout = TimeSpan.FromMilliseconds(300) };
        Action<PlannedWrite> plan = write => write.Append(new Change { ImeiKey = TestData.Imei(1).Key, Op = ChangeOp.Set, List = ListKind.Black, Reason = Reason.Stolen, Origin = ChangeOrigin.Admin });

        var first = Assert.ThrowsAsync<CommitUnavailableException>(() => writer.WriteAsync(plan, "failed", new Attribution("admin", null), ct));
        var second = Assert.ThrowsAsync<CommitUnavailableException>(() => writer.WriteAsync(plan, "failed", new Attribution("admin", null), ct));

        Assert.Multiple(() =>
        {
            Assert.That(first!.Message, Does.Contain("did not deliver changes up to 5"));
            Assert.That(second, Is.Not.Null, "the gate was released: the next write got as far as the stream again");
            Assert.That(stalled.Commits, Is.EqualTo(2));
            Assert.That(writer.Faulted, Is.False, "nothing was appended locally: not a failed log");
            Assert.That(log.LastAppended, Is.EqualTo(0UL));
        });
    }

    /// <summary>A writer over <paramref name="commitPoint"/>, with a log, attribution log and view in a directory of its own.</summary>
    private sealed class WriterOn : IDisposable
    {
        private readonly TempDirectory _dir = new();

        public WriterOn(ICommitPoint commitPoint, Microsoft.Extensions.Logging.ILogger? logger = null)
        {
            Log = ChangeLog.Open(Path.Combine(_dir.Path, "log"));
            Log.Scan(0, (_, _) => { });
            Attribution = AttributionLog.Open(_dir.Path, 0);
            View = RegistryView.Open(TestData.Options(), Path.Combine(_dir.Path, "view"));
            Writer = new RegistryWriter(Log, Attribution, View, new PublishedSequence(0), TimeProvider.System, logger ?? NullLogger.Instance, "test",
                commitPoint: commitPoint);
        }

        public ChangeLog Log { get; }

        public AttributionLog Attribution { get; }

        public RegistryView View { get; }

        public RegistryWriter Writer { get; }

        public void Dispose()
        {
            View.Dispose();
            Attribution.Dispose();
            Log.Dispose();
            _dir.Dispose();
        }
    }

    /// <summary>Refuses every commit while <see cref="Down"/> (every NATS server gone), takes them otherwise.</summary>
    private sealed class UnavailableStream : ICommitPoint
    {
        public bool Down = true;

        public Task<AppendResult> CommitAsync(IReadOnlyList<LoggedChange> batch, Attribution by, CancellationToken ct) => Down
            ? throw new ChangeStreamUnavailableException("stream S: no acknowledgement for changes: The operation has timed out.")
            : Task.FromResult(new AppendResult(AppendOutcome.Appended, batch.Count, batch[^1].Change.Sequence));

        public Task<ulong> LastSequenceAsync(CancellationToken ct) => Task.FromResult(0UL);

        public async IAsyncEnumerable<LoggedChange> ReadAsync(ulong from, ulong through, [EnumeratorCancellation] CancellationToken ct)
        {
            await Task.CompletedTask;
            yield break;
        }

        public async IAsyncEnumerable<IReadOnlyList<LoggedChange>> FollowAsync(ulong from, [EnumeratorCancellation] CancellationToken ct)
        {
            await Task.CompletedTask;
            yield break;
        }
    }

    [Test, CancelAfter(30_000)]
    public async Task Writes_refused_while_the_stream_is_down_are_logged_as_a_warning_once_per_outage_and_later_writes_go_through(CancellationToken ct)
    {
        var stream = new UnavailableStream();
        var logger = new RecordingLogger();
        using var on = new WriterOn(stream, logger);
        RegistryWriter writer = on.Writer;
        int n = 0;
        Task<IReadOnlyList<Change>> Write() => writer.WriteAsync(write => write.Append(new Change
        {
            ImeiKey = TestData.Imei(++n).Key, Op = ChangeOp.Set, List = ListKind.Black, Reason = Reason.Stolen, Origin = ChangeOrigin.Admin,
        }), "failed", new Attribution("admin", null), ct);

        for (int i = 0; i < 3; i++) Assert.ThrowsAsync<CommitUnavailableException>(() => Write());
        stream.Down = false;
        IReadOnlyList<Change> written = await Write();
        stream.Down = true;
        Assert.ThrowsAsync<CommitUnavailableException>(() => Write());

        int[] ids = [.. logger.Lines.Select(l => l.Id.Id).Where(id => id is 370 or 384 or 385)];
        Assert.Multiple(() =>
        {
            Assert.That(ids, Is.EqualTo(new[] { 370, 384, 384, 385, 370 }), "a warning per outage, debug lines between, one line when it is back");
            Assert.That(written.Select(c => c.Sequence), Is.EqualTo(new[] { 1UL }), "nothing of a refused write was applied: the next one is change 1");
            Assert.That(writer.Faulted, Is.False);
        });
    }

    /// <summary>Takes the first change of a batch, then another writer's change comes in before the rest.</summary>
    private sealed class InterleavedStream : ICommitPoint
    {
        private readonly List<LoggedChange> _stream = [];

        public Task<AppendResult> CommitAsync(IReadOnlyList<LoggedChange> batch, Attribution by, CancellationToken ct)
        {
            if (_stream.Count == 0)
            {
                _stream.Add(batch[0]);
                _stream.Add(new LoggedChange(new Change
                {
                    Sequence = 2, ImeiKey = TestData.Imei(9).Key, Op = ChangeOp.Set, List = ListKind.Black, Reason = Reason.Stolen, Origin = ChangeOrigin.Admin,
                }, 0));
                return Task.FromResult(new AppendResult(AppendOutcome.LostRace, 1, 2));
            }
            _stream.AddRange(batch);
            return Task.FromResult(new AppendResult(AppendOutcome.Appended, batch.Count, (ulong)_stream.Count));
        }

        public Task<ulong> LastSequenceAsync(CancellationToken ct) => Task.FromResult((ulong)_stream.Count);

        public async IAsyncEnumerable<LoggedChange> ReadAsync(ulong from, ulong through, [EnumeratorCancellation] CancellationToken ct)
        {
            await Task.Yield();
            for (ulong s = from; s <= through; s++) yield return _stream[(int)s - 1];
        }

        public async IAsyncEnumerable<IReadOnlyList<LoggedChange>> FollowAsync(ulong from, [EnumeratorCancellation] CancellationToken ct)
        {
            await Task.Delay(Timeout.Infinite, ct);
            yield break;
        }
    }

    [Test, CancelAfter(30_000)]
    public async Task The_part_of_a_batch_the_stream_took_before_losing_the_race_keeps_its_own_attribution(CancellationToken ct)
    {
        using var on = new WriterOn(new InterleavedStream());
        RegistryWriter writer = on.Writer;
        AttributionLog attribution = on.Attribution;
        ChangeLog log = on.Log;
        Action<PlannedWrite> plan = write =>
        {
            foreach (long serial in new long[] { 1, 2 })
            {
                if (!write.TryGet(TestData.Imei(serial), out ImeiRecord r) || r.List != ListKind.Black)
                    write.Append(new Change { ImeiKey = TestData.Imei(serial).Key, Op = ChangeOp.Set, List = ListKind.Black, Reason = Reason.Stolen, Origin = ChangeOrigin.Admin });
            }
        };

        IReadOnlyList<Change> written = await writer.WriteAsync(plan, "failed", new Attribution("alice", "case 7"), ct);

        Assert.Multiple(() =>
        {
            Assert.That(written.Select(c => (c.Sequence, c.ImeiKey)), Is.EqualTo(new[] { (3UL, TestData.Imei(2).Key) }), "only the rest, after the other's change");
            Assert.That(attribution.Find(1)?.Actor, Is.EqualTo("alice"), "the part the stream took first is this write's");
            Assert.That(attribution.Find(2)?.Actor, Is.EqualTo(RegistryWriter.OtherProcess.Actor));
            Assert.That(attribution.Find(3)?.Actor, Is.EqualTo("alice"));
            Assert.That(log.LastAppended, Is.EqualTo(3UL));
        });
    }
}
