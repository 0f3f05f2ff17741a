using ImeiEir.Core;
using ImeiEir.Notify.Notices;
using ImeiEir.Notify.Rules;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace ImeiEir.Notify.Tests;

public sealed class NoticeTriggersTests
{
    private TempDirectory _dir = null!;
    private Notifier _notifier = null!;
    private NoticeTriggers _triggers = null!;

    // 14:00 in Almaty on 24.11.2026.
    private static readonly long Seen = TestData.Start.ToUnixTimeSeconds();

    [SetUp]
    public async Task SetUp()
    {
        _dir = new TempDirectory();
        _notifier = await TestData.OpenAsync(_dir.Path, new FakeTimeProvider(TestData.Start));
        _triggers = _notifier.CreateTriggers();
    }

    [TearDown]
    public void TearDown()
    {
        _notifier.Dispose();
        _dir.Dispose();
    }

    private static GreyAttach Attach(string imsi, uint deadline = TestData.Deadline, Imei? imei = null) =>
        new(imei ?? TestData.Imei, imsi, deadline, Seen);

    [Test]
    public void Each_subscriber_seen_with_a_grey_device_gets_one_grey_start_notice_however_often_it_is_reported()
    {
        Assert.That(_triggers.OnGreyAttaches([Attach(TestData.RuImsi), Attach(TestData.RuImsi), Attach(TestData.KkImsi)]), Is.EqualTo(2));
        Assert.That(_triggers.OnGreyAttaches([Attach(TestData.RuImsi)]), Is.Zero, "a second node's or a retried report adds nothing");
        Assert.That(_triggers.OnGreyAttaches([Attach(TestData.RuImsi, imei: TestData.Device(7))]), Is.EqualTo(1), "the same SIM in another grey device");
        Assert.That(_triggers.GreyStarts, Is.EqualTo(3));

        IReadOnlyList<NoticeView> notices = _notifier.Outbox.FindByImei(TestData.Imei);
        Assert.That(notices.Select(n => (n.Kind, n.Imsi)), Is.EquivalentTo(new[]
        {
            (NoticeKind.GreyStart, TestData.RuImsi), (NoticeKind.GreyStart, TestData.KkImsi),
        }));
        Assert.That(notices.Select(n => n.Key), Is.EquivalentTo(new[] { TestData.Grey(TestData.RuImsi).Key, TestData.Grey(TestData.KkImsi).Key }),
            "the key of the grey-start notice for that deadline");
    }

    [Test]
    public void An_attach_without_an_IMSI_or_a_deadline_is_counted_and_makes_no_notice()
    {
        Assert.That(_triggers.OnGreyAttaches([Attach(""), Attach("12"), Attach(TestData.RuImsi, deadline: 0)]), Is.Zero);
        Assert.That((_triggers.Skipped, _notifier.Outbox.Count), Is.EqualTo((3L, 0)));
    }

    [Test]
    public void The_notices_are_durable_when_the_call_returns()
    {
        _triggers.OnGreyAttaches([Attach(TestData.RuImsi)]);
        _notifier.Dispose();
        Notifier reopened = TestData.OpenAsync(_dir.Path, new FakeTimeProvider(TestData.Start)).GetAwaiter().GetResult();
        Assert.That(reopened.Outbox.TryGet(TestData.Grey(TestData.RuImsi).Key, out NoticeView view), Is.True);
        Assert.That(view.State, Is.EqualTo(NoticeState.Parked), "no directory yet: parked, not dropped");
        _notifier = reopened; // TearDown disposes it
    }

    [Test]
    public void A_grey_attach_remembers_the_pair_for_the_reminders_and_the_expiry()
    {
        _triggers.OnGreyAttaches([Attach(TestData.RuImsi), Attach(""), Attach(TestData.KkImsi, deadline: 0)]);
        Assert.That(_notifier.Pairs.All().Select(p => (p.Imei, p.Imsi.ToString(), p.FirstSeenUnixSeconds)),
            Is.EqualTo(new[] { (TestData.Imei, TestData.RuImsi, Seen) }), "only the pair that got its notice");
    }

    [Test]
    public void A_black_device_attaching_gets_its_subscriber_one_blocked_notice_a_local_day()
    {
        // 14:00 on the 24th, 23:59 the same day, then 00:30 on the 25th (Almaty): two local days.
        long[] seen = [Seen, Seen + (9 * 3600) + 59 * 60, Seen + (10 * 3600) + 30 * 60];
        Assert.That(_triggers.OnBlackAttaches(seen.Select(s => new BlackAttach(TestData.Imei, TestData.RuImsi, s))), Is.EqualTo(2));
        Assert.That(_triggers.OnBlackAttaches([new BlackAttach(TestData.Imei, TestData.RuImsi, Seen + 60), new BlackAttach(TestData.Imei, "", Seen)]), Is.Zero);
        Assert.That(_notifier.Outbox.FindByImei(TestData.Imei).Select(n => (n.Kind, n.LocalDay)), Is.EquivalentTo(new[]
        {
            (NoticeKind.BlockedAttach, new DateOnly(2026, 11, 24)), (NoticeKind.BlockedAttach, new DateOnly(2026, 11, 25)),
        }));
        Assert.That((_triggers.Blocked, _triggers.Skipped), Is.EqualTo((2L, 1L)));
    }
}
