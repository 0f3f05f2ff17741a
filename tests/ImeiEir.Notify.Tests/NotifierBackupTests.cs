using ImeiEir.Core;
using ImeiEir.Notify.Notices;
using ImeiEir.Notify.Outbox;
using Microsoft.Extensions.Time.Testing;

namespace ImeiEir.Notify.Tests;

/// <summary>The notifier's state in a backup: copied while it works, written back into a new directory, never over one in use.</summary>
[TestFixture]
public sealed class NotifierBackupTests
{
    [Test]
    public async Task Captured_state_restored_into_a_new_directory_opens_to_the_same_notices_and_pairs_and_sends_nothing_already_sent()
    {
        using var source = new TempDirectory();
        using var target = new TempDirectory();
        var time = new FakeTimeProvider(TestData.Start);
        IReadOnlyList<BackupSection> sections;
        List<(string, NoticeState)> before;
        using (Notifier notifier = await TestData.OpenAsync(source.Path, time))
        {
            await TestData.ImportAsync(notifier, TestData.DirectoryCsv);
            notifier.Outbox.EnqueueMany([TestData.Grey(TestData.RuImsi), TestData.Grey(TestData.KkImsi), TestData.Grey("401010000000001")]);
            Assert.That(notifier.Outbox.TryStartNext(time.GetUtcNow(), out OutgoingSms sms, out _), Is.True);
            notifier.Outbox.MarkAccepted(sms.Key, "0: Accepted for delivery");
            Assert.That(PackedImsi.TryPack(TestData.RuImsi.AsSpan(), out PackedImsi imsi), Is.True);
            notifier.Pairs.Record([new Pairs.SeenPair(TestData.Imei, imsi, TestData.Start.ToUnixTimeSeconds())]);
            sections = NotifierBackup.Capture(notifier);
            before = [.. notifier.Outbox.FindByImei(TestData.Imei).Select(n => (n.Key, n.State))];
        }
        Assert.That(before.Select(n => n.Item2), Is.EquivalentTo(new[] { NoticeState.Sent, NoticeState.Pending, NoticeState.Parked }));

        string restoredDirectory = Path.Combine(target.Path, "notify");
        Assert.That(NotifierBackup.Restore(sections, restoredDirectory), Is.EqualTo(sections.Count));
        using Notifier restored = await TestData.OpenAsync(restoredDirectory, time);
        Assert.Multiple(() =>
        {
            Assert.That(restored.Outbox.FindByImei(TestData.Imei).Select(n => (n.Key, n.State)), Is.EquivalentTo(before));
            Assert.That(restored.Pairs.Count, Is.EqualTo(1));
            Assert.That(restored.Subscribers.Count, Is.EqualTo(2));
            Assert.That(restored.Outbox.Enqueue(TestData.Grey(TestData.RuImsi)), Is.False, "the sent notice's key is known: asking again stores nothing");
            Assert.That(restored.Outbox.TryStartNext(time.GetUtcNow(), out OutgoingSms next, out _) ? next.Msisdn : null, Is.EqualTo(SubscriberMsisdn(restored, TestData.KkImsi)),
                "only the pending notice is sent");
            Assert.That(restored.Outbox.TryStartNext(time.GetUtcNow(), out _, out _), Is.False, "the sent one is not sent again");
        });
    }

    [Test]
    public async Task A_restore_over_existing_notifier_state_is_refused_and_writes_nothing()
    {
        using var directory = new TempDirectory();
        var time = new FakeTimeProvider(TestData.Start);
        IReadOnlyList<BackupSection> sections;
        using (Notifier notifier = await TestData.OpenAsync(directory.Path, time))
            sections = NotifierBackup.Capture(notifier);
        byte[] journal = File.ReadAllBytes(Path.Combine(directory.Path, NoticeOutbox.JournalFileName));

        var e = Assert.Throws<InvalidOperationException>(() => NotifierBackup.Restore(sections, directory.Path));
        Assert.That(e!.Message, Does.Contain("already exists").And.Not.Contain("\n"));
        Assert.That(File.ReadAllBytes(Path.Combine(directory.Path, NoticeOutbox.JournalFileName)), Is.EqualTo(journal));
        Assert.Throws<InvalidDataException>(() => NotifierBackup.Restore([new BackupSection("notify/../../etc/passwd", [1])], directory.Path + "-new"));
    }

    private static string? SubscriberMsisdn(Notifier notifier, string imsi) =>
        notifier.Subscribers.TryGet(imsi, out Subscribers.Subscriber? s) ? s.Msisdn : null;
}
