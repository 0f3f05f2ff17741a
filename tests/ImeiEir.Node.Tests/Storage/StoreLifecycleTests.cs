using ImeiEir.Node.Storage;
using ImeiEir.Store;
using ImeiEir.Sync;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace ImeiEir.Node.Tests.Storage;

/// <summary>The node's periodic checkpoint labels what it copies with the sequence of that very state.</summary>
[TestFixture]
public sealed class StoreLifecycleTests
{
    [Test, CancelAfter(30_000)]
    public async Task A_periodic_checkpoint_that_waited_behind_the_store_gate_records_the_sequence_applied_when_it_copies()
    {
        using var directory = new TempDirectory();
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56));
        var lifecycle = new StoreLifecycle(new StoreOptions { Directory = directory.Path, ExpectedRecords = 1024, HugePageIndex = false,
            CheckpointInterval = TimeSpan.FromMinutes(1) }, NullLogger<StoreLifecycle>.Instance, time);
        await using var disposeLifecycle = lifecycle;
        await lifecycle.StartAsync(CancellationToken.None);
        lifecycle.Store.MarkComplete();
        var applied = new SettableSequence { Value = 5 };
        lifecycle.AppliedSequence = applied;

        // Another checkpoint holds the gate (as the sync agent's, or a rebuild's MarkIncompleteAsync, may).
        var holding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var release = new ManualResetEventSlim();
        Task other = Task.Run(async () => await lifecycle.Store.CheckpointAsync(() =>
        {
            holding.TrySetResult();
            release.Wait();
            return 1;
        }));
        await holding.Task;
        time.Advance(TimeSpan.FromMinutes(1)); // the periodic checkpoint is due and waits for the gate
        // Not an assertion: gives a lifecycle that reads the sequence before the gate its chance to do so.
        await Eventually.TryUntilAsync(() => applied.Reads > 0, TimeSpan.FromSeconds(1));

        applied.Value = 3; // meanwhile the store was cleared and rebuilt from another generation up to change 3
        release.Set();
        await other;
        string manifest = Path.Combine(directory.Path, "checkpoint.manifest");
        await Eventually.UntilAsync(() => SequenceIn(manifest) != 1, TimeSpan.FromSeconds(20), "the periodic checkpoint to be written");

        Assert.That(SequenceIn(manifest), Is.EqualTo(3),
            "a checkpoint labelled 5 over a state holding changes up to 3 would make a restart skip changes 4 and 5");
    }

    private static ulong SequenceIn(string manifest)
    {
        try
        {
            string? line = File.ReadLines(manifest).FirstOrDefault(l => l.StartsWith("sequence ", StringComparison.Ordinal));
            return line is null ? 0 : ulong.Parse(line["sequence ".Length..], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0; // being replaced right now
        }
    }

    private sealed class SettableSequence : IAppliedSequence
    {
        private ulong _value;
        private int _reads;

        public ulong Value { get => Volatile.Read(ref _value); set => Volatile.Write(ref _value, value); }

        public int Reads => Volatile.Read(ref _reads);

        public ulong LastApplied
        {
            get
            {
                Interlocked.Increment(ref _reads);
                return Value;
            }
        }
    }
}
