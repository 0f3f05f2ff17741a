using ImeiEir.Core;
using ImeiEir.Notify.Notices;
using ImeiEir.Notify.Rules;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace ImeiEir.Notify.Tests;

/// <summary>
/// Which registry event makes which notice: the registry's recorded sightings and expiries as the registry's host
/// hands them over, with the records a test sets.
/// </summary>
public sealed class RegistryNoticeRulesTests
{
    // 14:00 in Almaty on 24.11.2026, a month before the grey deadline.
    private static readonly uint Seen = (uint)TestData.Start.ToUnixTimeSeconds();
    private static readonly ImeiRecord GreyRecord = new(ListKind.Grey, Reason.Unverified, TestData.Deadline, sequence: 7);
    private static readonly ImeiRecord BlackRecord = new(ListKind.Black, Reason.Stolen, 0, sequence: 8);

    private TempDirectory _dir = null!;
    private FakeTimeProvider _time = null!;
    private Notifier _notifier = null!;
    private TestLogger _logger = null!;
    private RegistryNoticeRules _rules = null!;
    private readonly Dictionary<Imei, ImeiRecord> _lists = [];

    [SetUp]
    public async Task SetUp()
    {
        _dir = new TempDirectory();
        _time = new FakeTimeProvider(TestData.Start);
        _notifier = await TestData.OpenAsync(_dir.Path, _time);
        _logger = new TestLogger();
        _rules = _notifier.CreateRegistryRules(Lookup, new RegimeClock(_time), _logger);
    }

    [TearDown]
    public async Task TearDown()
    {
        await _rules.DisposeAsync();
        _notifier.Dispose();
        _dir.Dispose();
    }

    private bool Lookup(Imei imei, out ImeiRecord record) => _lists.TryGetValue(imei, out record);

    private static RecordedSighting Recorded(SightingOutcome outcome, ImeiRecord record, string imsi = TestData.RuImsi,
        SightingKind kind = SightingKind.FirstSeen, uint seen = 0, Imei? imei = null)
    {
        PackedImsi packed = PackedImsi.None;
        if (imsi.Length > 0) Assert.That(PackedImsi.TryPack(imsi.AsSpan(), out packed), Is.True);
        return new RecordedSighting(new Sighting((imei ?? TestData.Imei).Key, packed, seen == 0 ? Seen : seen, kind), outcome, record);
    }

    private static SightingReport Report(params RecordedSighting[] sightings) => new("node-1", sightings, 0, 0, 0);

    private List<(NoticeKind Kind, string Imsi)> Notices() =>
        [.. _notifier.Outbox.FindByImei(TestData.Imei).Select(n => (n.Kind, n.Imsi))];

    [Test]
    public void A_grey_device_first_seen_with_a_home_IMSI_makes_the_grey_start_notice_with_its_deadline()
    {
        _rules.OnSightingsRecorded(Report(Recorded(SightingOutcome.Created, GreyRecord)));

        Assert.That(_notifier.Outbox.TryGet(TestData.Grey(TestData.RuImsi).Key, out NoticeView view), Is.True, "the grey-start key of that deadline");
        Assert.That((view.Kind, view.DeadlineUnixSeconds), Is.EqualTo((NoticeKind.GreyStart, TestData.Deadline)));
        Assert.That(_notifier.Pairs.All().Select(p => (p.Imei, p.Imsi.ToString())), Is.EqualTo(new[] { (TestData.Imei, TestData.RuImsi) }),
            "the pair the reminders go to");
        Assert.That(_rules.Made(NoticeKind.GreyStart), Is.EqualTo(1));
    }

    [Test]
    public void An_existing_grey_device_and_an_attach_of_one_make_the_grey_start_notice_too()
    {
        _rules.OnSightingsRecorded(Report(
            Recorded(SightingOutcome.Existing, GreyRecord, TestData.RuImsi),
            Recorded(SightingOutcome.Attach, GreyRecord, TestData.KkImsi, SightingKind.GreyAttach)));

        Assert.That(Notices(), Is.EquivalentTo(new[] { (NoticeKind.GreyStart, TestData.RuImsi), (NoticeKind.GreyStart, TestData.KkImsi) }));
        Assert.That(_rules.Made(NoticeKind.GreyStart), Is.EqualTo(2));
    }

    [Test]
    public void A_sighting_reported_again_makes_nothing_more()
    {
        _rules.OnSightingsRecorded(Report(Recorded(SightingOutcome.Created, GreyRecord)));
        _rules.OnSightingsRecorded(Report(Recorded(SightingOutcome.Existing, GreyRecord)));
        Assert.That(Notices(), Has.Count.EqualTo(1));
        Assert.That(_rules.Made(NoticeKind.GreyStart), Is.EqualTo(1), "only new notices are counted");
    }

    [Test]
    public void A_refused_attach_of_a_black_device_makes_the_blocked_attach_notice()
    {
        _rules.OnSightingsRecorded(Report(Recorded(SightingOutcome.Attach, BlackRecord, kind: SightingKind.BlackAttach)));

        Assert.That(_notifier.Outbox.FindByImei(TestData.Imei).Select(n => (n.Kind, n.Imsi, n.LocalDay)),
            Is.EqualTo(new[] { (NoticeKind.BlockedAttach, TestData.RuImsi, TestData.Day) }), "the attach's local day");
        Assert.That(_rules.Made(NoticeKind.BlockedAttach), Is.EqualTo(1));
        Assert.That(_notifier.Pairs.Count, Is.Zero, "no reminders for a black device");
    }

    [Test]
    public void A_refused_attach_of_a_grey_device_past_its_deadline_makes_the_blocked_attach_notice_not_a_grey_start()
    {
        uint afterDeadline = TestData.Deadline + 3600;
        _rules.OnSightingsRecorded(Report(Recorded(SightingOutcome.Attach, GreyRecord, kind: SightingKind.BlackAttach, seen: afterDeadline)));

        Assert.That(Notices(), Is.EqualTo(new[] { (NoticeKind.BlockedAttach, TestData.RuImsi) }));
        Assert.That((_rules.Made(NoticeKind.GreyStart), _rules.Made(NoticeKind.BlockedAttach)), Is.EqualTo((0L, 1L)));
    }

    [Test]
    public void A_grey_attach_past_the_deadline_that_was_not_refused_makes_nothing()
    {
        _rules.OnSightingsRecorded(Report(Recorded(SightingOutcome.Attach, GreyRecord, kind: SightingKind.GreyAttach, seen: TestData.Deadline)));
        Assert.That(Notices(), Is.Empty);
    }

    [Test]
    public void A_roamer_without_an_IMSI_an_ignored_sighting_and_a_white_device_make_nothing()
    {
        _rules.OnSightingsRecorded(Report(
            Recorded(SightingOutcome.Created, GreyRecord, imsi: ""),
            Recorded(SightingOutcome.Attach, BlackRecord, imsi: "", kind: SightingKind.BlackAttach),
            Recorded(SightingOutcome.Ignored, default),
            Recorded(SightingOutcome.Existing, new ImeiRecord(ListKind.White, Reason.Verified, 0, sequence: 3)),
            Recorded(SightingOutcome.Attach, new ImeiRecord(ListKind.White, Reason.Verified, 0, sequence: 3), kind: SightingKind.BlackAttach)));

        Assert.That((_notifier.Outbox.Count, _notifier.Pairs.Count), Is.EqualTo((0, 0)));
        Assert.That(_logger.Lines, Is.Empty, "nothing to enqueue, nothing to log");
    }

    [Test]
    public void An_expiry_makes_the_blacklisted_notice_for_every_subscriber_seen_with_the_device()
    {
        _rules.OnSightingsRecorded(Report(
            Recorded(SightingOutcome.Created, GreyRecord, TestData.RuImsi),
            Recorded(SightingOutcome.Existing, GreyRecord, TestData.KkImsi)));
        _time.SetUtcNow(DateTimeOffset.FromUnixTimeSeconds(TestData.Deadline).AddMinutes(5));

        _rules.OnExpired([new Change { ImeiKey = TestData.Imei.Key, Op = ChangeOp.Set, List = ListKind.Black, Reason = Reason.GreyExpired }]);

        Assert.That(_notifier.Outbox.FindByImei(TestData.Imei).Where(n => n.Kind == NoticeKind.Blacklisted).Select(n => (n.Imsi, n.LocalDay)),
            Is.EquivalentTo(new[] { (TestData.RuImsi, new DateOnly(2026, 12, 24)), (TestData.KkImsi, new DateOnly(2026, 12, 24)) }),
            "dated by the regime clock at the expiry");
        Assert.That(_rules.Made(NoticeKind.Blacklisted), Is.EqualTo(2));
        Assert.That(_notifier.Pairs.Count, Is.Zero, "the pairs are forgotten: no more reminders");
    }

    [Test]
    public void A_failing_outbox_is_logged_and_nothing_is_thrown_into_the_registry()
    {
        _rules.OnSightingsRecorded(Report(Recorded(SightingOutcome.Created, GreyRecord)));
        _notifier.Outbox.Dispose();

        Assert.DoesNotThrow(() => _rules.OnSightingsRecorded(Report(
            Recorded(SightingOutcome.Created, GreyRecord, TestData.KkImsi),
            Recorded(SightingOutcome.Attach, BlackRecord, kind: SightingKind.BlackAttach, imei: TestData.Device(3)))));
        Assert.DoesNotThrow(() => _rules.OnExpired([new Change { ImeiKey = TestData.Imei.Key, Op = ChangeOp.Set, List = ListKind.Black, Reason = Reason.GreyExpired }]));

        var failures = _logger.Lines.Where(l => l.Level >= LogLevel.Warning).ToList();
        Assert.That(failures.Select(l => (l.Level, l.EventId, l.Exception?.GetType())), Is.EqualTo(new[]
        {
            (LogLevel.Error, 40, typeof(ObjectDisposedException)), (LogLevel.Error, 40, typeof(ObjectDisposedException)),
        }));
        Assert.That(failures.Select(l => l.Message), Is.EqualTo(new[]
        {
            "Could not enqueue the notices of 2 sightings or expiries: those subscribers are not told",
            "Could not enqueue the notices of 1 sightings or expiries: those subscribers are not told",
        }));
    }

    [Test]
    public async Task The_reminders_start_with_the_rules_and_read_the_records_through_the_lookup()
    {
        _rules.OnSightingsRecorded(Report(Recorded(SightingOutcome.Created, GreyRecord)));
        _lists[TestData.Imei] = new ImeiRecord(ListKind.Black, Reason.GreyExpired, 0, sequence: 9);

        _rules.Start();

        // The start-up sweep finds the expiry missed while the notifier was down.
        await Wait.UntilAsync(() => _rules.Made(NoticeKind.Blacklisted) == 1, "the start-up sweep's blacklisted notice");
        Assert.That(Notices(), Is.EquivalentTo(new[] { (NoticeKind.GreyStart, TestData.RuImsi), (NoticeKind.Blacklisted, TestData.RuImsi) }));
    }
}
