using ImeiEir.Core;
using ImeiEir.Notify.Notices;
using ImeiEir.Notify.Rules;
using Microsoft.Extensions.Time.Testing;

namespace ImeiEir.Notify.Tests;

/// <summary>
/// The daily reminder on a fake regime clock: one a day at 12:00 Asia/Almaty for every grey (IMEI, IMSI) pair seen,
/// none after verification, the blacklisted notice for a device found expired, only today's round after a jump.
/// </summary>
public sealed class DailyRemindersTests
{
    // The pairs are first seen at TestData.Start: 24.11.2026 14:00 in Almaty, after that day's reminder time.
    private static readonly DateTimeOffset Noon25 = new(2026, 11, 25, 12, 0, 0, TimeSpan.FromHours(5));

    private TempDirectory _dir = null!;
    private FakeTimeProvider _time = null!;
    private WatchedClock _clock = null!;
    private Notifier _notifier = null!;
    private DailyReminders _reminders = null!;
    private readonly Dictionary<Imei, ImeiRecord> _lists = [];

    [SetUp]
    public async Task SetUp()
    {
        _dir = new TempDirectory();
        _time = new FakeTimeProvider(TestData.Start);
        _clock = new WatchedClock(_time);
        _notifier = await TestData.OpenAsync(_dir.Path, _time);
        _reminders = _notifier.CreateReminders(Lookup, _clock);
        _lists[TestData.Imei] = new ImeiRecord(ListKind.Grey, Reason.Unverified, TestData.Deadline, sequence: 7);
        _notifier.CreateTriggers().OnGreyAttaches(
        [
            new GreyAttach(TestData.Imei, TestData.RuImsi, TestData.Deadline, TestData.Start.ToUnixTimeSeconds()),
            new GreyAttach(TestData.Imei, TestData.KkImsi, TestData.Deadline, TestData.Start.ToUnixTimeSeconds()),
        ]);
    }

    [TearDown]
    public async Task TearDown()
    {
        await _reminders.DisposeAsync();
        _notifier.Dispose();
        _dir.Dispose();
    }

    private bool Lookup(Imei imei, out ImeiRecord record) => _lists.TryGetValue(imei, out record);

    private List<NoticeView> Reminders() =>
        [.. _notifier.Outbox.FindByImei(TestData.Imei).Where(n => n.Kind == NoticeKind.DailyReminder).OrderBy(n => n.Key)];

    private string Days() => string.Join(", ", Reminders().Select(n => $"{n.Imsi}@{n.LocalDay:dd.MM}"));

    /// <summary>
    /// Moves the clock to <paramref name="at"/> in steps of at most an hour, each taken once the loop has done what it does
    /// at the time before and waits on its clock again, so that it sees every step as it would see real time pass.
    /// </summary>
    private async Task AdvanceToAsync(DateTimeOffset at)
    {
        await ParkedAsync();
        while (_time.GetUtcNow() < at)
        {
            TimeSpan step = at - _time.GetUtcNow();
            _time.Advance(step < TimeSpan.FromHours(1) ? step : TimeSpan.FromHours(1));
            await ParkedAsync();
        }
    }

    /// <summary>
    /// Until the loop waits on its clock again: it has done all it does at the clock's time (a timer that the last advance
    /// passed has fired, so an armed timer is one the loop set after it looked at the clock, or one still in the future).
    /// </summary>
    private Task ParkedAsync() =>
        Wait.UntilAsync(() => _clock.ArmedTimers.Count > 0, "the reminder loop to wait on its clock", diagnostics: _clock.Describe);

    /// <summary>
    /// Until the loop has looked at the clock at <paramref name="at"/>, done what it does then, and gone back to sleep:
    /// the later event after which anything it would do at that time has been done.
    /// </summary>
    private async Task LoopSleptAtAsync(DateTimeOffset at)
    {
        await ParkedAsync();
        Assert.That(_clock.ArmedTimers.Select(t => t.At), Is.EqualTo(new[] { at }), $"the loop's one sleep, begun at {at:dd.MM HH:mm}: {_clock.Describe()}");
    }

    private async Task RoundOfAsync(DateTimeOffset day) =>
        await Wait.UntilAsync(() => _reminders.LastRoundDay == DateOnly.FromDateTime(day.DateTime), $"the round of {day:dd.MM} (last {_reminders.LastRoundDay:dd.MM}; reminders {Days()})");

    [Test]
    public async Task Each_subscriber_gets_one_reminder_a_day_at_noon_local_time_and_none_before()
    {
        _reminders.Start();
        await AdvanceToAsync(Noon25.AddMinutes(-1));
        await LoopSleptAtAsync(Noon25.AddMinutes(-1));
        Assert.That(_clock.ArmedTimers.Single().Due, Is.EqualTo(Noon25), "at 11:59 the loop sleeps until noon");
        Assert.That(Reminders(), Is.Empty, "no reminder before 12:00 (nor on the day of the grey-start notice)");

        await AdvanceToAsync(Noon25);
        await RoundOfAsync(Noon25);
        Assert.That(Reminders().Select(n => (n.Imsi, n.LocalDay)), Is.EquivalentTo(new[]
        {
            (TestData.KkImsi, new DateOnly(2026, 11, 25)), (TestData.RuImsi, new DateOnly(2026, 11, 25)),
        }));

        await AdvanceToAsync(Noon25.AddHours(11));
        await LoopSleptAtAsync(Noon25.AddHours(11));
        Assert.That(Reminders(), Has.Count.EqualTo(2), $"still two reminders that evening: {Days()}");

        await AdvanceToAsync(Noon25.AddDays(1));
        await RoundOfAsync(Noon25.AddDays(1));
        Assert.That(Reminders().Select(n => n.LocalDay).Distinct(), Is.EquivalentTo(new[] { new DateOnly(2026, 11, 25), new DateOnly(2026, 11, 26) }));
        Assert.That(Reminders(), Has.Count.EqualTo(4), Days());
        Assert.That(Reminders().All(n => n.DeadlineUnixSeconds == TestData.Deadline), Is.True, "each reminder gives the deadline");
    }

    [Test]
    public async Task A_device_verified_gets_no_more_reminders_and_is_forgotten()
    {
        _reminders.Start();
        await AdvanceToAsync(Noon25);
        await RoundOfAsync(Noon25);
        Assert.That(Reminders(), Has.Count.EqualTo(2));

        _lists[TestData.Imei] = new ImeiRecord(ListKind.White, Reason.Verified, 0, sequence: 8);
        await AdvanceToAsync(Noon25.AddDays(1));
        await RoundOfAsync(Noon25.AddDays(1));
        Assert.That(Reminders(), Has.Count.EqualTo(2), $"no reminder after verification: {Days()}");
        Assert.That(_notifier.Pairs.Count, Is.Zero, "the verified device's pairs are dropped");
    }

    [Test]
    public void A_round_tells_the_subscribers_of_a_device_found_expired_and_leaves_one_past_its_deadline_to_the_expiry()
    {
        DateTimeOffset afterDeadline = DateTimeOffset.FromUnixTimeSeconds(TestData.Deadline).AddHours(12);
        ReminderRound pending = _reminders.RunRound(new DateOnly(2026, 12, 24), afterDeadline);
        Assert.That((pending.Reminders, pending.Blacklisted, pending.Skipped), Is.EqualTo((0, 0, 2)), "past the deadline but not yet black: no reminder");

        _lists[TestData.Imei] = new ImeiRecord(ListKind.Black, Reason.GreyExpired, 0, sequence: 9);
        ReminderRound round = _reminders.RunRound(new DateOnly(2026, 12, 24), afterDeadline);
        Assert.That((round.Blacklisted, round.Forgotten), Is.EqualTo((2, 1)));
        Assert.That(_notifier.Outbox.FindByImei(TestData.Imei).Where(n => n.Kind == NoticeKind.Blacklisted).Select(n => n.Imsi),
            Is.EquivalentTo(new[] { TestData.RuImsi, TestData.KkImsi }));
    }

    [Test]
    public void A_round_run_twice_on_a_day_sends_nothing_more_and_skips_pairs_first_seen_that_day()
    {
        Assert.That(_reminders.RunRound(TestData.Day, TestData.Start.AddHours(1)).Skipped, Is.EqualTo(2), "first seen today: the grey-start notice was today's");
        Assert.That(_reminders.RunRound(new DateOnly(2026, 11, 25), Noon25).Reminders, Is.EqualTo(2));
        Assert.That(_reminders.RunRound(new DateOnly(2026, 11, 25), Noon25.AddHours(3)).Reminders, Is.Zero, "a restart after noon reruns the round: nothing new");
    }

    [Test]
    public async Task After_a_jump_over_days_only_the_current_day_has_its_round()
    {
        _reminders.Start();
        // Started at 14:00, after that day's reminder time: the day's round runs at once (it has no one to remind yet).
        await RoundOfAsync(TestData.Start);
        await ParkedAsync();
        DateTimeOffset landed = Noon25.AddDays(3).AddHours(2);
        _time.Advance(landed - _time.GetUtcNow());
        await RoundOfAsync(Noon25.AddDays(3));
        await LoopSleptAtAsync(landed);
        Assert.That(_reminders.RoundsRun, Is.EqualTo(2), "the start-up round and the 28th's, none for the days jumped over");
        Assert.That(Reminders().Select(n => n.LocalDay).Distinct(), Is.EqualTo(new[] { new DateOnly(2026, 11, 28) }), Days());
    }

    [Test]
    public void The_expiry_tells_every_subscriber_seen_with_the_device_once_and_ends_the_reminders()
    {
        NoticeTriggers triggers = _notifier.CreateTriggers();
        DateTimeOffset expiredAt = DateTimeOffset.FromUnixTimeSeconds(TestData.Deadline);
        Assert.That(triggers.OnExpired([TestData.Imei, TestData.Device(5)], expiredAt), Is.EqualTo(2));
        Assert.That(triggers.OnExpired([TestData.Imei], expiredAt), Is.Zero, "already told");
        Assert.That(_notifier.Outbox.FindByImei(TestData.Imei).Where(n => n.Kind == NoticeKind.Blacklisted).Select(n => n.Imsi),
            Is.EquivalentTo(new[] { TestData.RuImsi, TestData.KkImsi }));
        Assert.That(_notifier.Pairs.Count, Is.Zero);
        _lists[TestData.Imei] = new ImeiRecord(ListKind.Grey, Reason.Unverified, TestData.Deadline + 86_400, sequence: 10);
        Assert.That(_reminders.RunRound(new DateOnly(2026, 12, 24), expiredAt.AddHours(7)).Reminders, Is.Zero, "no pairs left to remind");
    }
}
