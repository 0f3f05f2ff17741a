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

        public Task<ulong?> CommitAsync(IReadOnlyList<LoggedChange> batch, CancellationToken ct)
        {
            Commits++;
            return Task.FromResult<ulong?>(5);
        }

        public Task<ulong> LastSequenceAsync(CancellationToken ct) => Task.FromResult(5UL);

        public async IAsyncEnumerable<LoggedChange> ReadAsync(ulong from, ulong through, [EnumeratorCancellation] CancellationToken ct)
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
}
