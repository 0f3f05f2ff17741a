using ImeiEir.Core;
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
        _triggers = new NoticeTriggers(_notifier.Outbox, _notifier.Calendar, NullLogger.Instance);
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
}
