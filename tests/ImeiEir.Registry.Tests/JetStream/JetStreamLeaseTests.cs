using System.Diagnostics;
using ImeiEir.Registry.JetStream;

namespace ImeiEir.Registry.Tests.JetStream;

/// <summary>
/// The notifier's lease in a JetStream key-value bucket on a real three-server cluster: one holder at a time, taken
/// over once the holder stops renewing, and the old holder stops believing before the new one starts.
/// </summary>
public class JetStreamLeaseTests
{
    private static readonly TimeSpan TimeToLive = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan TakeoverBound = TimeSpan.FromSeconds(20);   // a bound for the wait, not a speed claim
    private NatsCluster _cluster = null!;

    [OneTimeSetUp]
    public async Task StartCluster() => _cluster = await NatsCluster.StartAsync(3);

    [OneTimeTearDown]
    public void StopCluster() => _cluster?.Dispose();

    [Test, CancelAfter(60_000)]
    public async Task Of_two_contenders_exactly_one_holds_the_lease_and_keeps_it_while_it_renews(CancellationToken ct)
    {
        NatsOptions options = StreamChanges.Options(_cluster);
        await using JetStreamLease one = await JetStreamLease.OpenAsync(options, "notifier", TimeToLive, ct);
        await using JetStreamLease two = await JetStreamLease.OpenAsync(options, "notifier", TimeToLive, ct);

        bool[] first = await Task.WhenAll(one.TryAcquireOrRenewAsync(ct), two.TryAcquireOrRenewAsync(ct));
        Assert.That(first.Count(h => h), Is.EqualTo(1), "exactly one takes it");
        JetStreamLease holder = first[0] ? one : two, other = first[0] ? two : one;
        // Renewing every third of the time to live for three times the time to live, the other trying as often.
        for (int i = 0; i < 9; i++)
        {
            await Task.Delay(TimeToLive / 3, ct);
            bool renewed = await holder.TryAcquireOrRenewAsync(ct);
            bool taken = await other.TryAcquireOrRenewAsync(ct);
            Assert.That((renewed, taken), Is.EqualTo((true, false)), $"round {i}");
        }
    }

    [Test, CancelAfter(60_000)]
    public async Task When_the_holder_stops_renewing_another_takes_over_after_the_holder_stopped_believing_it_holds(CancellationToken ct)
    {
        NatsOptions options = StreamChanges.Options(_cluster);
        await using JetStreamLease holder = await JetStreamLease.OpenAsync(options, "notifier", TimeToLive, ct);
        await using JetStreamLease other = await JetStreamLease.OpenAsync(options, "notifier", TimeToLive, ct);
        Assert.That(await holder.TryAcquireOrRenewAsync(ct), Is.True);
        var clock = Stopwatch.StartNew();   // for the failure message only

        // The holder goes silent (as a SIGSTOPped or dead process); the other tries every 100 ms.
        bool heldByHolderWhenTaken = true;
        await Eventually.UntilAsync(async () =>
        {
            if (!await other.TryAcquireOrRenewAsync(ct)) return false;
            heldByHolderWhenTaken = holder.IsHeld;
            return true;
        }, TakeoverBound, "the other contender to take the lease over");
        // Coming back, the old holder finds the lease taken: its renewal fails, and it stays out.
        bool renewedLate = await holder.TryAcquireOrRenewAsync(ct);

        Assert.Multiple(() =>
        {
            Assert.That(heldByHolderWhenTaken, Is.False, $"the old holder had stopped believing when the new one took it ({clock.Elapsed.TotalSeconds:0.0} s)");
            Assert.That(renewedLate, Is.False);
            Assert.That(other.IsHeld, Is.True);
        });
    }

    [Test, CancelAfter(60_000)]
    public async Task A_released_lease_is_taken_by_the_next_try_without_waiting_for_it_to_run_out(CancellationToken ct)
    {
        NatsOptions options = StreamChanges.Options(_cluster);
        await using JetStreamLease holder = await JetStreamLease.OpenAsync(options, "notifier", TimeSpan.FromMinutes(10), ct);
        await using JetStreamLease other = await JetStreamLease.OpenAsync(options, "notifier", TimeSpan.FromMinutes(10), ct);
        Assert.That(await holder.TryAcquireOrRenewAsync(ct), Is.True);
        Assert.That(await other.TryAcquireOrRenewAsync(ct), Is.False);

        await holder.ReleaseAsync(ct);
        bool heldAfterRelease = holder.IsHeld;
        bool otherTakes = await other.TryAcquireOrRenewAsync(ct);
        bool holderRetakes = await holder.TryAcquireOrRenewAsync(ct);

        Assert.That((heldAfterRelease, otherTakes, holderRetakes), Is.EqualTo((false, true, false)));
    }
}
