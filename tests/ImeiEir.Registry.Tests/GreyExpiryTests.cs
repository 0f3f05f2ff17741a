using ImeiEir.Core;

namespace ImeiEir.Registry.Tests;

/// <summary>
/// docs/ARCHITECTURE.md, rule 6, on the registry: a grey record whose deadline passes on the regime clock is published
/// black (grey-expired, origin Lifecycle), unless something ended its grey period first. The regime clock is fake, so
/// the 30-day grace period passes in milliseconds; the loop is observed through its one timer
/// (<see cref="RegimeTime"/>).
/// </summary>
public class GreyExpiryTests
{
    private Lifecycle _life = null!;

    [SetUp]
    public async Task SetUp() => _life = await Lifecycle.OpenAsync();

    [TearDown]
    public async Task TearDown() => await _life.DisposeAsync();

    private static DateTimeOffset Day0 => Lifecycle.Day0;

    private static Sighting Seen(long serial, DateTimeOffset when) => Lifecycle.Sighting(serial, when);

    private static void AssertExpired(Change change, long serial, ulong sequence) =>
        Assert.That((change.Sequence, change.ImeiKey, change.Op, change.List, change.Reason, change.DeadlineUnixSeconds, change.Origin),
            Is.EqualTo((sequence, TestData.Imei(serial).Key, ChangeOp.Set, ListKind.Black, Reason.GreyExpired, 0u, ChangeOrigin.Lifecycle)));

    [Test]
    public async Task The_loop_turns_a_sighted_grey_record_black_at_its_deadline_and_not_a_second_before()
    {
        await _life.SeeAsync(Seen(1, Day0));
        GreyExpiry expiry = await _life.StartExpiryAsync();
        uint deadline = Lifecycle.DeadlineOf(Day0);
        Assert.That(expiry.Indexed, Is.EqualTo(1));

        // Day 29, then one second before the deadline: still grey (the loop has woken and looked at both times).
        await _life.AdvanceAndSettleAsync(TimeSpan.FromDays(29));
        await _life.AdvanceAndSettleAsync(Lifecycle.FromUnix(deadline) - _life.Clock.Now - TimeSpan.FromSeconds(1));
        Assert.That(_life.Clock.NowUnixSeconds, Is.EqualTo(deadline - 1L));
        Assert.That(_life.Record(1).List, Is.EqualTo(ListKind.Grey));
        Assert.That((expiry.ExpiredTotal, _life.Registry.LastSequence), Is.EqualTo((0L, 1UL)));

        // The deadline itself: the loop, sleeping until then, expires it without anyone calling it.
        _life.Time.Advance(TimeSpan.FromSeconds(1));
        await Lifecycle.WaitUntilAsync(() => _life.Record(1).List == ListKind.Black, "IMEI 1 to turn black");

        Assert.That(_life.Record(1), Is.EqualTo(new ImeiRecord(ListKind.Black, Reason.GreyExpired, 0, 2)));
        List<Change> changes = await TestData.ReadAllAsync(_life.Registry);
        Assert.That(changes, Has.Count.EqualTo(2));
        AssertExpired(changes[1], 1, 2);
        await Lifecycle.WaitUntilAsync(() => expiry.ExpiredTotal == 1, "ExpiredTotal to count it");
        Assert.That(_life.AllExpired(), Is.EqualTo(new[] { changes[1] }));
        Assert.That(expiry.Indexed, Is.Zero);
    }

    [Test]
    public async Task ExpireDueAsync_expires_exactly_the_records_due_and_raises_Expired_with_them()
    {
        // Deadlines on days 27, 28 and 29.
        await _life.SeeAsync(Seen(1, Day0.AddDays(-3)), Seen(2, Day0.AddDays(-2)), Seen(3, Day0.AddDays(-1)));
        GreyExpiry expiry = await _life.StartExpiryAsync();
        Assert.That(expiry.Indexed, Is.EqualTo(3));

        // AdjustTime moves the regime clock without firing the loop's timer: only the direct calls act.
        _life.Time.AdjustTime(Lifecycle.FromUnix(Lifecycle.DeadlineOf(Day0.AddDays(-2))));   // exactly IMEI 2's deadline
        Assert.That(await expiry.ExpireDueAsync(CancellationToken.None), Is.EqualTo(2));

        Assert.That(_life.Record(1), Is.EqualTo(new ImeiRecord(ListKind.Black, Reason.GreyExpired, 0, 4)));
        Assert.That(_life.Record(2), Is.EqualTo(new ImeiRecord(ListKind.Black, Reason.GreyExpired, 0, 5)));
        Assert.That(_life.Record(3).List, Is.EqualTo(ListKind.Grey));
        Assert.That(expiry.ExpiredTotal, Is.EqualTo(2));
        List<Change> changes = await TestData.ReadAllAsync(_life.Registry, after: 3);
        Assert.That(changes, Has.Count.EqualTo(2));
        AssertExpired(changes[0], 1, 4);
        AssertExpired(changes[1], 2, 5);
        Assert.That(_life.ExpiredEvents, Has.Count.EqualTo(1), "one durable batch, one event");
        Assert.That(_life.ExpiredEvents[0], Is.EqualTo(changes));

        // Nothing more is due until IMEI 3's deadline.
        _life.Time.AdjustTime(Lifecycle.FromUnix(Lifecycle.DeadlineOf(Day0.AddDays(-1)) - 1));
        Assert.That(await expiry.ExpireDueAsync(CancellationToken.None), Is.Zero);
        Assert.That(_life.Registry.LastSequence, Is.EqualTo(5UL));
        _life.Time.AdjustTime(Lifecycle.FromUnix(Lifecycle.DeadlineOf(Day0.AddDays(-1))));
        Assert.That(await expiry.ExpireDueAsync(CancellationToken.None), Is.EqualTo(1));
        AssertExpired((await TestData.ReadAllAsync(_life.Registry, after: 5)).Single(), 3, 6);
        Assert.That((expiry.ExpiredTotal, _life.ExpiredEvents.Count), Is.EqualTo((3L, 2)));

        // An expired record is not expired twice.
        Assert.That(await expiry.ExpireDueAsync(CancellationToken.None), Is.Zero);
        Assert.That(_life.Registry.LastSequence, Is.EqualTo(6UL));
    }

    [Test]
    public async Task A_set_white_delta_during_the_grey_period_ends_it_for_good()
    {
        await _life.SeeAsync(Seen(1, Day0), Seen(2, Day0));
        GreyExpiry expiry = await _life.StartExpiryAsync();
        await _life.AdvanceAndSettleAsync(TimeSpan.FromDays(10));

        DeltaBatch delta = await TestData.Csv($"imei,list,reason\n{TestData.Text(1)},white,verified\n");
        DeltaReport verified = await _life.Registry.ApplyAsync(delta, partial: false, CancellationToken.None);
        Assert.That(verified.Applied, Is.EqualTo(1));

        // Past the deadline: the loop wakes there (its timer), expires IMEI 2 and leaves IMEI 1 white.
        await _life.AdvanceAndSettleAsync(TimeSpan.FromDays(20));
        await Lifecycle.WaitUntilAsync(() => expiry.ExpiredTotal == 1, "IMEI 2 to expire");
        Assert.That(_life.Record(1), Is.EqualTo(new ImeiRecord(ListKind.White, Reason.Verified, 0, 3)));
        Assert.That(_life.Record(2).List, Is.EqualTo(ListKind.Black));

        // Much later, and asked directly: still white, no further change.
        await _life.AdvanceAndSettleAsync(TimeSpan.FromDays(400));
        Assert.That(await expiry.ExpireDueAsync(CancellationToken.None), Is.Zero);
        Assert.That(_life.Record(1).List, Is.EqualTo(ListKind.White));
        Assert.That(_life.AllExpired().Select(c => c.ImeiKey), Is.EqualTo(new[] { TestData.Imei(2).Key }));
        Assert.That(_life.Registry.LastSequence, Is.EqualTo(4UL));
    }

    [Test]
    public async Task A_grey_record_removed_or_given_a_later_deadline_expires_only_by_its_current_deadline()
    {
        await _life.SeeAsync(Seen(1, Day0), Seen(2, Day0));
        GreyExpiry expiry = await _life.StartExpiryAsync();
        await TestData.PushCsvAsync(_life.Registry,
            $"op,imei,list,reason,deadline\nremove,{TestData.Text(1)},,,\nset,{TestData.Text(2)},grey,unverified,2025-11-01T00:00:00Z\n");

        // The first sighting's deadline (day 30, 2025-10-01) passes: nothing is expired.
        await _life.AdvanceAndSettleAsync(Lifecycle.Grace + TimeSpan.FromSeconds(1));
        Assert.That(await expiry.ExpireDueAsync(CancellationToken.None), Is.Zero);
        Assert.That(_life.Record(1).List, Is.EqualTo(ListKind.None));
        Assert.That(_life.Record(2).List, Is.EqualTo(ListKind.Grey));

        // The new deadline passes: IMEI 2 expires; the removed IMEI stays unknown.
        _life.Time.Advance(new DateTimeOffset(2025, 11, 1, 0, 0, 0, TimeSpan.Zero) - _life.Clock.Now);
        await Lifecycle.WaitUntilAsync(() => _life.Record(2).List == ListKind.Black, "IMEI 2 to expire at its new deadline");
        Assert.That(_life.Record(1).List, Is.EqualTo(ListKind.None));
        Assert.That(_life.AllExpired().Select(c => c.ImeiKey), Is.EqualTo(new[] { TestData.Imei(2).Key }));
    }

    [Test]
    public async Task A_deadline_earlier_than_the_loops_wake_up_cuts_its_sleep_short()
    {
        GreyExpiry expiry = await _life.StartExpiryAsync();   // nothing indexed: it sleeps its longest, 1 minute

        // An admin grey due in 10 s: the loop must wake for it, not at the end of its minute.
        int timers = _life.Time.TimersCreated;
        await TestData.PushCsvAsync(_life.Registry, $"imei,list,reason,deadline\n{TestData.Text(1)},grey,unverified,2025-09-01T00:00:10Z\n");
        await _life.WaitForLoopAsleepAsync(timers);
        _life.Time.Advance(TimeSpan.FromSeconds(10));
        await Lifecycle.WaitUntilAsync(() => _life.Record(1).List == ListKind.Black, "IMEI 1 to expire at 10 s");
        Assert.That(expiry.ExpiredTotal, Is.EqualTo(1));
    }

    [Test]
    public async Task A_deadline_already_past_when_committed_expires_without_the_clock_moving()
    {
        GreyExpiry expiry = await _life.StartExpiryAsync();
        await TestData.PushCsvAsync(_life.Registry, $"imei,list,reason,deadline\n{TestData.Text(1)},grey,unverified,2025-08-01\n");
        await Lifecycle.WaitUntilAsync(() => _life.Record(1).List == ListKind.Black, "IMEI 1 to expire");
        Assert.That((expiry.ExpiredTotal, _life.Clock.Now), Is.EqualTo((1L, Day0)));
    }

    [Test]
    public async Task A_grey_record_without_a_deadline_never_expires()
    {
        // An admin delta cannot say it...
        DeltaBatch refused = await TestData.Csv($"imei,list,reason,deadline\n{TestData.Text(1)},grey,unverified,\n");
        Assert.That(refused.Errors.Single().Reason, Does.Contain("deadline is empty, but a grey record needs one"));

        // ...but a record may carry deadline 0 ("grey, no deadline") from elsewhere: written here directly.
        await _life.Registry.WriteAsync(write => write.Append(new Change
        {
            ImeiKey = TestData.Imei(1).Key, Op = ChangeOp.Set, List = ListKind.Grey, Reason = Reason.Unverified, Origin = ChangeOrigin.Admin,
        }), CancellationToken.None);
        GreyExpiry expiry = await _life.StartExpiryAsync();
        await _life.Registry.WriteAsync(write => write.Append(new Change
        {
            ImeiKey = TestData.Imei(2).Key, Op = ChangeOp.Set, List = ListKind.Grey, Reason = Reason.Unverified, Origin = ChangeOrigin.Admin,
        }), CancellationToken.None);
        Assert.That(expiry.Indexed, Is.Zero, "neither the scan nor the commit indexes a deadline of 0");

        await _life.AdvanceAndSettleAsync(TimeSpan.FromDays(3650));
        Assert.That(await expiry.ExpireDueAsync(CancellationToken.None), Is.Zero);
        Assert.That(_life.Record(1), Is.EqualTo(new ImeiRecord(ListKind.Grey, Reason.Unverified, 0, 1)));
        Assert.That(_life.Record(2), Is.EqualTo(new ImeiRecord(ListKind.Grey, Reason.Unverified, 0, 2)));
        Assert.That(expiry.ExpiredTotal, Is.Zero);
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task A_reopened_registry_indexes_its_grey_records_and_expires_them(bool checkpointed)
    {
        // Days 28, 29, 30 from sightings; one verified; one admin grey far away; one black.
        await _life.SeeAsync(Seen(1, Day0.AddDays(-2)), Seen(2, Day0.AddDays(-1)), Seen(3, Day0), Seen(4, Day0));
        await TestData.PushCsvAsync(_life.Registry,
            $"imei,list,reason,deadline\n{TestData.Text(4)},white,verified,\n{TestData.Text(5)},grey,imported,2026-06-01\n{TestData.Text(6)},black,stolen,\n");
        ulong last = _life.Registry.LastSequence;

        await _life.ReopenAsync(checkpointed);
        Assert.That(_life.Registry.LastSequence, Is.EqualTo(last));
        GreyExpiry expiry = await _life.StartExpiryAsync();
        Assert.That(expiry.Indexing.IsCompletedSuccessfully, Is.True);
        Assert.That(expiry.Indexed, Is.EqualTo(4), "IMEIs 1, 2, 3 and 5: the grey ones");

        await _life.AdvanceAndSettleAsync(TimeSpan.FromDays(30));
        await Lifecycle.WaitUntilAsync(() => expiry.ExpiredTotal == 3, "three expiries");
        Assert.That(new[] { 1, 2, 3 }.Select(i => _life.Record(i).List), Is.All.EqualTo(ListKind.Black));
        Assert.That((_life.Record(4).List, _life.Record(5).List, _life.Record(6).Reason), Is.EqualTo((ListKind.White, ListKind.Grey, Reason.Stolen)));

        List<Change> expired = await TestData.ReadAllAsync(_life.Registry, after: last);
        Assert.That(expired.Select(c => c.ImeiKey), Is.EquivalentTo(new[] { 1, 2, 3 }.Select(i => TestData.Imei(i).Key)));
        Assert.That(expired.Select(c => (c.List, c.Reason, c.Origin)), Is.All.EqualTo((ListKind.Black, Reason.GreyExpired, ChangeOrigin.Lifecycle)));
        Assert.That(_life.AllExpired(), Is.EquivalentTo(expired), "the events carry exactly the published changes");
        Assert.That(expiry.Indexed, Is.EqualTo(1), "IMEI 5's deadline is still waiting");
    }

    [Test]
    public async Task A_cancelled_ExpireDueAsync_leaves_the_due_deadlines_for_the_next_run()
    {
        await _life.SeeAsync(Seen(1, Day0), Seen(2, Day0));
        GreyExpiry expiry = await _life.StartExpiryAsync();
        _life.Time.AdjustTime(Day0 + Lifecycle.Grace);

        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        Assert.That(async () => await expiry.ExpireDueAsync(cancelled.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(_life.Registry.LastSequence, Is.EqualTo(2UL), "nothing written");

        Assert.That(await expiry.ExpireDueAsync(CancellationToken.None), Is.EqualTo(2));
        Assert.That(new[] { _life.Record(1).List, _life.Record(2).List }, Is.All.EqualTo(ListKind.Black));
    }
}
