using ImeiEir.Core;

namespace ImeiEir.Registry.Tests;

/// <summary>The registry's side of docs/ARCHITECTURE.md, rule 7: the first sighting to arrive sets the grey deadline, once.</summary>
public class SightingIntakeTests
{
    private Lifecycle _life = null!;

    [SetUp]
    public async Task SetUp() => _life = await Lifecycle.OpenAsync();

    [TearDown]
    public async Task TearDown() => await _life.DisposeAsync();

    private static DateTimeOffset Day0 => Lifecycle.Day0;

    private static Sighting Seen(long serial, DateTimeOffset when, string imsi = Lifecycle.HomeImsi, SightingKind kind = SightingKind.FirstSeen) =>
        Lifecycle.Sighting(serial, when, imsi, kind);

    [Test]
    public async Task The_first_sighting_of_an_unknown_IMEI_makes_it_grey_until_first_seen_plus_the_grace_period()
    {
        // The node saw it two hours before the registry hears of it: the deadline counts from the node's time.
        DateTimeOffset seen = Day0.AddHours(-2);
        SightingReport report = await _life.SeeAsync(Seen(1, seen));

        uint deadline = Lifecycle.DeadlineOf(seen);
        Assert.That(Lifecycle.FromUnix(deadline), Is.EqualTo(new DateTimeOffset(2025, 9, 30, 22, 0, 0, TimeSpan.Zero)));
        Assert.That((report.Node, report.Received, report.Created, report.Existing, report.Ignored), Is.EqualTo(("node-a", 1, 1, 0, 0)));
        Assert.That(report.Sightings[0].Outcome, Is.EqualTo(SightingOutcome.Created));
        Assert.That(report.Sightings[0].Record, Is.EqualTo(new ImeiRecord(ListKind.Grey, Reason.Unverified, deadline, 1)));

        Assert.That(_life.Registry.TryGet(TestData.Imei(1), out ImeiRecord record), Is.True);
        Assert.That(record, Is.EqualTo(new ImeiRecord(ListKind.Grey, Reason.Unverified, deadline, 1)));
        Assert.That(_life.Registry.LastSequence, Is.EqualTo(1UL));

        Change change = (await TestData.ReadAllAsync(_life.Registry)).Single();
        Assert.That((change.Sequence, change.ImeiKey, change.Op, change.List, change.Reason, change.DeadlineUnixSeconds, change.Origin, change.RelatedImeiKey),
            Is.EqualTo((1UL, TestData.Imei(1).Key, ChangeOp.Set, ListKind.Grey, Reason.Unverified, deadline, ChangeOrigin.Sighting, 0UL)));
    }

    [Test]
    public async Task A_later_sighting_from_another_node_with_another_IMSI_changes_nothing()
    {
        DateTimeOffset first = Day0.AddHours(-1);
        await _life.SeeAsync(Seen(1, first));
        ulong last = _life.Registry.LastSequence;

        _life.Time.Advance(TimeSpan.FromDays(5));
        SightingReport report = await _life.SeeFromAsync("node-b", Seen(1, Day0.AddDays(5), imsi: "401029876543210"));

        Assert.That((report.Node, report.Created, report.Existing, report.Ignored), Is.EqualTo(("node-b", 0, 1, 0)));
        Assert.That(report.Sightings[0].Outcome, Is.EqualTo(SightingOutcome.Existing));
        Assert.That(report.Sightings[0].Record.DeadlineUnixSeconds, Is.EqualTo(Lifecycle.DeadlineOf(first)), "the report shows the record as it stands");
        Assert.That(_life.Record(1), Is.EqualTo(new ImeiRecord(ListKind.Grey, Reason.Unverified, Lifecycle.DeadlineOf(first), 1)));
        Assert.That(_life.Registry.LastSequence, Is.EqualTo(last), "no new change in the log");
        Assert.That(await TestData.ReadAllAsync(_life.Registry), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Two_sightings_of_one_IMEI_in_one_batch_make_one_change_and_the_earliest_wins()
    {
        // The later one first in the batch: the intake must not take "first in the body" for "first seen".
        DateTimeOffset early = Day0.AddHours(-3), late = Day0.AddHours(-1);
        SightingReport report = await _life.SeeAsync(
            Seen(1, late, imsi: "401010000000001"),
            Seen(2, Day0.AddHours(-2)),
            Seen(1, early, imsi: "401010000000002"));

        Assert.That((report.Received, report.Created, report.Existing, report.Ignored), Is.EqualTo((3, 2, 1, 0)));
        Assert.That(_life.Registry.LastSequence, Is.EqualTo(2UL));
        Assert.That(_life.Record(1).DeadlineUnixSeconds, Is.EqualTo(Lifecycle.DeadlineOf(early)));
        Assert.That(_life.Record(2).DeadlineUnixSeconds, Is.EqualTo(Lifecycle.DeadlineOf(Day0.AddHours(-2))));

        List<Change> changes = await TestData.ReadAllAsync(_life.Registry);
        Assert.That(changes.Select(c => (c.ImeiKey, c.DeadlineUnixSeconds)), Is.EqualTo(new[]
        {
            (TestData.Imei(1).Key, Lifecycle.DeadlineOf(early)),
            (TestData.Imei(2).Key, Lifecycle.DeadlineOf(Day0.AddHours(-2))),
        }));

        RecordedSighting lateOne = report.Sightings.Single(s => s.Sighting.SeenUnixSeconds == (uint)late.ToUnixTimeSeconds());
        Assert.That(lateOne.Outcome, Is.EqualTo(SightingOutcome.Existing));
        Assert.That(lateOne.Record.DeadlineUnixSeconds, Is.EqualTo(Lifecycle.DeadlineOf(early)));
    }

    // The regime starts 2025-05-25T00:00+05:00 = 2025-05-24T19:00Z (the default of Policy:RegimeStart).
    [TestCase(-86_400, SightingOutcome.Ignored)]
    [TestCase(-1, SightingOutcome.Ignored)]
    [TestCase(0, SightingOutcome.Created)]
    [TestCase(1, SightingOutcome.Created)]
    public async Task A_sighting_before_the_regime_start_is_legacy_and_ignored(int secondsFromStart, SightingOutcome expected)
    {
        var regimeStart = new DateTimeOffset(2025, 5, 24, 19, 0, 0, TimeSpan.Zero);
        Assert.That(_life.Policy.RegimeStartUnixSeconds, Is.EqualTo(regimeStart.ToUnixTimeSeconds()));

        SightingReport report = await _life.SeeAsync(Seen(1, regimeStart.AddSeconds(secondsFromStart)));

        Assert.That(report.Sightings[0].Outcome, Is.EqualTo(expected));
        if (expected == SightingOutcome.Ignored)
        {
            Assert.That((report.Created, report.Ignored), Is.EqualTo((0, 1)));
            Assert.That(report.Sightings[0].Record, Is.EqualTo(default(ImeiRecord)));
            Assert.That(_life.Registry.LastSequence, Is.Zero);
            Assert.That(_life.Registry.TryGetAny(TestData.Imei(1), out _), Is.False);
        }
        else
        {
            Assert.That((report.Created, report.Ignored), Is.EqualTo((1, 0)));
            Assert.That(_life.Record(1).DeadlineUnixSeconds, Is.EqualTo(Lifecycle.DeadlineOf(regimeStart.AddSeconds(secondsFromStart))));
        }
    }

    [Test]
    public async Task A_time_ahead_of_the_registry_clock_counts_as_now()
    {
        // A node whose clock runs 3 days fast must not lengthen the grace period.
        await _life.SeeAsync(Seen(1, Day0.AddDays(3)), Seen(2, Day0.AddSeconds(1)), Seen(3, Day0));

        foreach (long serial in new long[] { 1, 2, 3 })
            Assert.That(Lifecycle.FromUnix(_life.Record(serial).DeadlineUnixSeconds), Is.EqualTo(Day0 + Lifecycle.Grace), $"IMEI {serial}");
    }

    [Test]
    public async Task An_IMEI_already_white_black_or_grey_by_an_admin_is_Existing_and_untouched()
    {
        await TestData.PushCsvAsync(_life.Registry,
            $"imei,list,reason,deadline\n{TestData.Text(1)},white,verified,\n{TestData.Text(2)},black,stolen,\n{TestData.Text(3)},grey,unverified,2030-12-31\n");
        ImeiRecord[] before = [_life.Record(1), _life.Record(2), _life.Record(3)];

        SightingReport report = await _life.SeeAsync(Seen(1, Day0), Seen(2, Day0), Seen(3, Day0));

        Assert.That((report.Created, report.Existing, report.Ignored), Is.EqualTo((0, 3, 0)));
        Assert.That(report.Sightings.Select(s => s.Outcome), Is.All.EqualTo(SightingOutcome.Existing));
        Assert.That(report.Sightings.Select(s => s.Record), Is.EquivalentTo(before));
        Assert.That(new[] { _life.Record(1), _life.Record(2), _life.Record(3) }, Is.EqualTo(before));
        Assert.That(_life.Registry.LastSequence, Is.EqualTo(3UL));
    }

    [Test]
    public async Task Attach_sightings_are_reported_but_change_no_list()
    {
        await TestData.PushCsvAsync(_life.Registry, $"imei,list,reason\n{TestData.Text(2)},black,stolen\n");
        ImeiRecord black = _life.Record(2);

        SightingReport report = await _life.SeeAsync(
            Seen(1, Day0, kind: SightingKind.GreyAttach),
            Seen(2, Day0.AddSeconds(-1), kind: SightingKind.BlackAttach),
            Seen(3, Day0.AddSeconds(-2), kind: SightingKind.BlackAttach));

        Assert.That((report.Received, report.Created, report.Existing, report.Ignored), Is.EqualTo((3, 0, 0, 0)));
        Assert.That(report.Sightings.Select(s => s.Outcome), Is.All.EqualTo(SightingOutcome.Attach));
        Assert.That(report.Sightings.Single(s => s.Sighting.ImeiKey == TestData.Imei(2).Key).Record, Is.EqualTo(black));
        Assert.That(report.Sightings.Single(s => s.Sighting.ImeiKey == TestData.Imei(1).Key).Record, Is.EqualTo(default(ImeiRecord)));
        Assert.That(_life.Registry.LastSequence, Is.EqualTo(1UL));
        Assert.That(_life.Registry.TryGetAny(TestData.Imei(1), out _), Is.False, "an attach of an unknown IMEI does not make it grey");
        Assert.That(_life.Registry.TryGetAny(TestData.Imei(3), out _), Is.False);
    }

    [Test]
    public async Task A_removed_IMEI_seen_again_is_grey_again_and_its_history_has_every_step()
    {
        await TestData.PushCsvAsync(_life.Registry, $"imei,list,reason\n{TestData.Text(1)},black,stolen\n");
        await TestData.PushCsvAsync(_life.Registry, $"op,imei\nremove,{TestData.Text(1)}\n");
        Assert.That(_life.Record(1).List, Is.EqualTo(ListKind.None), "a tombstone");

        SightingReport report = await _life.SeeAsync(Seen(1, Day0));

        Assert.That((report.Created, report.Existing), Is.EqualTo((1, 0)));
        Assert.That(_life.Record(1), Is.EqualTo(new ImeiRecord(ListKind.Grey, Reason.Unverified, Lifecycle.DeadlineOf(Day0), 3)));
        var history = new List<Change>();
        await foreach (Change c in _life.Registry.GetHistoryAsync(TestData.Imei(1), CancellationToken.None)) history.Add(c);
        Assert.That(history.Select(c => (c.Sequence, c.Op, c.List, c.Origin)), Is.EqualTo(new[]
        {
            (1UL, ChangeOp.Set, ListKind.Black, ChangeOrigin.Admin),
            (2UL, ChangeOp.Remove, ListKind.None, ChangeOrigin.Admin),
            (3UL, ChangeOp.Set, ListKind.Grey, ChangeOrigin.Sighting),
        }));
    }

    [Test]
    public async Task The_history_of_a_sighted_IMEI_is_the_sighting_change_then_what_followed()
    {
        long before = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
        await _life.SeeAsync(Seen(1, Day0.AddMinutes(-5)));
        long after = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
        await TestData.PushCsvAsync(_life.Registry, $"imei,list,reason\n{TestData.Text(1)},white,verified\n");

        var history = new List<Change>();
        await foreach (Change c in _life.Registry.GetHistoryAsync(TestData.Imei(1), CancellationToken.None)) history.Add(c);

        Assert.That(history, Has.Count.EqualTo(2));
        Assert.That((history[0].Sequence, history[0].List, history[0].Reason, history[0].DeadlineUnixSeconds, history[0].Origin),
            Is.EqualTo((1UL, ListKind.Grey, Reason.Unverified, Lifecycle.DeadlineOf(Day0.AddMinutes(-5)), ChangeOrigin.Sighting)));
        Assert.That(history[0].TimeUnixMilliseconds, Is.InRange(before, after), "stamped with the registry's (system) clock");
        Assert.That((history[1].Sequence, history[1].List, history[1].Origin), Is.EqualTo((2UL, ListKind.White, ChangeOrigin.Admin)));
    }

    [Test]
    public async Task Created_records_reach_a_feed_reader_waiting_for_them()
    {
        var buffer = new Change[16];
        ValueTask<int> waiting = _life.Registry.ReadChangesAsync(0, buffer, TimeSpan.FromSeconds(10), CancellationToken.None);
        Assert.That(waiting.IsCompleted, Is.False, "nothing to read yet");

        await _life.SeeAsync(Seen(1, Day0), Seen(2, Day0), Seen(3, Day0, kind: SightingKind.GreyAttach));

        int count = await waiting.AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(count, Is.EqualTo(2));
        Assert.That(buffer[..2].Select(c => (c.Sequence, c.ImeiKey, c.Origin)), Is.EqualTo(new[]
        {
            (1UL, TestData.Imei(1).Key, ChangeOrigin.Sighting),
            (2UL, TestData.Imei(2).Key, ChangeOrigin.Sighting),
        }));
    }

    [Test]
    public async Task A_batch_that_fails_midway_records_nothing_and_later_batches_are_recorded()
    {
        // The HTTP endpoint validates every sighting, but RecordAsync is public: an IMEI key of 15 digits, seen
        // after a good sighting that the same batch has already planned, makes the batch throw.
        Sighting bad = Seen(2, Day0) with { ImeiKey = Imei.KeyLimit };
        Assert.That(async () => await _life.SeeAsync(Seen(1, Day0.AddHours(-1)), bad), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(_life.Registry.LastSequence, Is.Zero);
        Assert.That(_life.Registry.TryGetAny(TestData.Imei(1), out _), Is.False, "all or nothing");

        // The registry still writes, with the next numbers.
        SightingReport report = await _life.SeeAsync(Seen(1, Day0.AddHours(-1)), Seen(3, Day0));
        Assert.That(report.Created, Is.EqualTo(2));
        Assert.That((await TestData.ReadAllAsync(_life.Registry)).Select(c => c.Sequence), Is.EqualTo(new[] { 1UL, 2UL }));
        await TestData.PushCsvAsync(_life.Registry, $"imei,list,reason\n{TestData.Text(4)},white,verified\n");
        Assert.That(_life.Registry.LastSequence, Is.EqualTo(3UL));
    }

    [Test]
    public async Task Recorded_is_raised_once_per_batch_with_the_report()
    {
        var reports = new List<SightingReport>();
        _life.Intake.Recorded += reports.Add;

        SightingReport first = await _life.SeeFromAsync("node-x", Seen(1, Day0));
        SightingReport empty = await _life.SeeFromAsync("node-y");

        Assert.That(reports, Is.EqualTo(new[] { first, empty }));
        Assert.That((empty.Received, empty.Created, _life.Registry.LastSequence), Is.EqualTo((0, 0, 1UL)));
    }
}
