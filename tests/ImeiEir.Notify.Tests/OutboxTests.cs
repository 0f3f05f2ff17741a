using ImeiEir.Core;
using ImeiEir.Notify.Notices;
using ImeiEir.Notify.Outbox;
using ImeiEir.Notify.Subscribers;
using ImeiEir.Notify.Texts;
using Microsoft.Extensions.Time.Testing;

namespace ImeiEir.Notify.Tests;

/// <summary>The outbox without a gateway: keys, idempotency, parking, durability, restart semantics, delivery reports.</summary>
public class OutboxTests
{
    private TempDirectory _dir = null!;
    private FakeTimeProvider _time = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = new TempDirectory();
        _time = new FakeTimeProvider(TestData.Start);
    }

    [TearDown]
    public void TearDown() => _dir.Dispose();

    [Test]
    public void Idempotency_keys_hold_exactly_the_fields_of_the_kind()
    {
        Imei imei = TestData.Imei;
        var day = new DateOnly(2026, 11, 24);
        Assert.Multiple(() =>
        {
            Assert.That(new NoticeRequest(NoticeKind.GreyStart, imei, "401011234567890", 1_798_052_400, day).Key,
                Is.EqualTo("grey-352099001761481-401011234567890-1798052400"));
            Assert.That(new NoticeRequest(NoticeKind.DailyReminder, imei, "401011234567890", 1_798_052_400, day).Key,
                Is.EqualTo("reminder-352099001761481-401011234567890-20261124"));
            Assert.That(new NoticeRequest(NoticeKind.Blacklisted, imei, "401011234567890", 0, day).Key,
                Is.EqualTo("black-352099001761481-401011234567890"));
            Assert.That(new NoticeRequest(NoticeKind.BlockedAttach, imei, "401011234567890", 0, day).Key,
                Is.EqualTo("blocked-352099001761481-401011234567890-20261124"));

            // What is not part of a kind's key does not make a new notice; what is, does.
            Assert.That(new NoticeRequest(NoticeKind.GreyStart, imei, "401011234567890", 1_798_052_400, day.AddDays(3)).Key,
                Is.EqualTo("grey-352099001761481-401011234567890-1798052400"), "grey start: the day is not in the key");
            Assert.That(new NoticeRequest(NoticeKind.Blacklisted, imei, "401011234567890", 5, day.AddDays(3)).Key,
                Is.EqualTo("black-352099001761481-401011234567890"), "blacklisted: once per (IMEI, IMSI)");
            Assert.That(new NoticeRequest(NoticeKind.DailyReminder, imei, "401011234567890", 1_798_052_400, day.AddDays(1)).Key,
                Is.EqualTo("reminder-352099001761481-401011234567890-20261125"));
            Assert.That(new NoticeRequest(NoticeKind.GreyStart, Imei.Parse("352099001761481"), "401011234567890", 1_798_052_400, day).Key,
                Is.EqualTo(new NoticeRequest(NoticeKind.GreyStart, Imei.Parse("3520990017614812"), "401011234567890", 1_798_052_400, day).Key),
                "14-, 15- and 16-digit forms are one device");
        });
    }

    [Test]
    public async Task The_same_notice_enqueued_twice_is_stored_once_even_across_a_restart()
    {
        using (Notifier notifier = await TestData.OpenAsync(_dir.Path, _time))
        {
            await TestData.ImportAsync(notifier, TestData.DirectoryCsv);
            Assert.That(notifier.Outbox.Enqueue(TestData.Grey()), Is.True);
            Assert.That(notifier.Outbox.Enqueue(TestData.Grey()), Is.False);
            Assert.That(notifier.Outbox.EnqueueMany([TestData.Grey(), TestData.Grey(TestData.KkImsi), TestData.Grey(TestData.KkImsi)]), Is.EqualTo(1));
            Assert.That(notifier.Outbox.Counters.DuplicatesIgnored, Is.EqualTo(3));
        }
        using (Notifier reopened = await TestData.OpenAsync(_dir.Path, _time))
        {
            Assert.That(reopened.Outbox.Enqueue(TestData.Grey()), Is.False);
            Assert.That(reopened.Outbox.Count, Is.EqualTo(2));
            Assert.That(reopened.Outbox.PendingCount, Is.EqualTo(2));
        }
    }

    [Test]
    public async Task A_second_notifier_on_the_same_outbox_is_refused_while_the_first_runs()
    {
        using (Notifier first = await TestData.OpenAsync(_dir.Path, _time))
        {
            first.Outbox.Enqueue(TestData.Grey());
            Assert.ThrowsAsync<IOException>(() => TestData.OpenAsync(_dir.Path, _time));
        }
        using Notifier next = await TestData.OpenAsync(_dir.Path, _time);
        Assert.That(next.Outbox.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task Incomplete_requests_are_refused()
    {
        using Notifier notifier = await TestData.OpenAsync(_dir.Path, _time);
        Assert.Throws<ArgumentException>(() => notifier.Outbox.Enqueue(new NoticeRequest(NoticeKind.GreyStart, TestData.Imei, TestData.RuImsi, 0, TestData.Day)));
        Assert.Throws<ArgumentException>(() => notifier.Outbox.Enqueue(new NoticeRequest(NoticeKind.DailyReminder, TestData.Imei, TestData.RuImsi, TestData.Deadline, default)));
        Assert.Throws<ArgumentException>(() => notifier.Outbox.Enqueue(new NoticeRequest(NoticeKind.Blacklisted, TestData.Imei, "12ab", 0, TestData.Day)));
        Assert.That(notifier.Outbox.Count, Is.Zero);
    }

    [Test]
    public async Task A_notice_for_an_unknown_subscriber_is_parked_counted_kept_and_released_by_the_import()
    {
        using (Notifier notifier = await TestData.OpenAsync(_dir.Path, _time))
        {
            Assert.That(notifier.Outbox.Enqueue(TestData.Grey(TestData.KkImsi)), Is.True);
            Assert.That((notifier.Outbox.ParkedCount, notifier.Outbox.PendingCount), Is.EqualTo((1L, 0L)));
            Assert.That(notifier.Outbox.TryGet(TestData.Grey(TestData.KkImsi).Key, out NoticeView parked), Is.True);
            Assert.That((parked.State, parked.Msisdn, parked.Text), Is.EqualTo((NoticeState.Parked, (string?)null, (string?)null)));
            Assert.That(notifier.Outbox.ReleaseParked(), Is.Zero, "no subscriber yet");
        }
        using (Notifier reopened = await TestData.OpenAsync(_dir.Path, _time))
        {
            Assert.That(reopened.Outbox.ParkedCount, Is.EqualTo(1), "parked notices survive a restart");
            SubscriberImportReport report = await reopened.Subscribers.ImportAsync(new StringReader(TestData.DirectoryCsv));
            Assert.That(report.Released, Is.EqualTo(1), "the import released it before returning");
            Assert.That((reopened.Outbox.ParkedCount, reopened.Outbox.PendingCount), Is.EqualTo((0L, 1L)));
            reopened.Outbox.TryGet(TestData.Grey(TestData.KkImsi).Key, out NoticeView released);
            Assert.That((released.State, released.Msisdn, released.Language), Is.EqualTo((NoticeState.Pending, (string?)TestData.KkMsisdn, (NoticeLanguage?)NoticeLanguage.Kazakh)));
            Assert.That(released.Text, Does.StartWith("Құрылғы дұрыс жұмыс істеуі").And.Contain("24.12.2026 дейін IMEI 352099001761481, нөмір 77027654321, ЖСН 900101300123"));
            Assert.That(reopened.Outbox.FindByMsisdn("+" + TestData.KkMsisdn).Select(v => v.Key), Is.EqualTo(new[] { released.Key }));
        }
    }

    [Test]
    public async Task Notices_parked_when_an_import_was_cut_short_by_a_crash_are_released_at_the_next_open()
    {
        using (Notifier notifier = await TestData.OpenAsync(_dir.Path, _time))
            notifier.Outbox.Enqueue(TestData.Grey());
        // The directory file written, the release never: an import through a directory no outbox is attached to.
        SubscriberDirectory alone = await SubscriberDirectory.OpenAsync(_dir.Path);
        Assert.That((await alone.ImportAsync(new StringReader(TestData.DirectoryCsv))).Released, Is.Zero);

        using Notifier reopened = await TestData.OpenAsync(_dir.Path, _time);
        Assert.That((reopened.Outbox.ParkedCount, reopened.Outbox.PendingCount), Is.EqualTo((0L, 1L)));
    }

    [Test]
    public async Task A_notice_that_was_sending_at_a_crash_is_sent_again_exactly_once_more()
    {
        string key;
        using (Notifier notifier = await TestData.OpenAsync(_dir.Path, _time))
        {
            await TestData.ImportAsync(notifier, TestData.DirectoryCsv);
            notifier.Outbox.Enqueue(TestData.Grey());
            Assert.That(notifier.Outbox.TryStartNext(_time.GetUtcNow(), out OutgoingSms sms, out _), Is.True);
            key = sms.Key;
            // the process dies here: Sending is on disk, Sent never is
        }
        using (Notifier restarted = await TestData.OpenAsync(_dir.Path, _time))
        {
            Assert.That(restarted.Outbox.Counters.ResentAfterRestart, Is.EqualTo(1));
            Assert.That(restarted.Outbox.TryStartNext(_time.GetUtcNow(), out OutgoingSms again, out _), Is.True);
            Assert.That((again.Key, again.Attempt), Is.EqualTo((key, 2)));
            restarted.Outbox.MarkAccepted(key, "0: Accepted for delivery");
            Assert.That(restarted.Outbox.TryStartNext(_time.GetUtcNow(), out _, out DateTimeOffset? next), Is.False);
            Assert.That(next, Is.Null);
        }
        using (Notifier third = await TestData.OpenAsync(_dir.Path, _time))
        {
            Assert.That(third.Outbox.Counters.ResentAfterRestart, Is.Zero, "once recorded as sent it is never sent again");
            Assert.That(third.Outbox.TryStartNext(_time.GetUtcNow(), out _, out _), Is.False);
            third.Outbox.TryGet(key, out NoticeView view);
            Assert.That((view.State, view.Attempts, view.GatewayAnswer), Is.EqualTo((NoticeState.Sent, 2, (string?)"0: Accepted for delivery")));
        }
    }

    [Test]
    public async Task Delivery_reports_move_sent_notices_to_their_final_state_in_any_order()
    {
        using Notifier notifier = await TestData.OpenAsync(_dir.Path, _time);
        await TestData.ImportAsync(notifier, TestData.DirectoryCsv);
        NoticeOutbox outbox = notifier.Outbox;
        var delivered = new NoticeRequest(NoticeKind.Blacklisted, TestData.Device(1), TestData.RuImsi, 0, TestData.Day);
        var rejected = new NoticeRequest(NoticeKind.Blacklisted, TestData.Device(2), TestData.RuImsi, 0, TestData.Day);
        var early = new NoticeRequest(NoticeKind.Blacklisted, TestData.Device(3), TestData.RuImsi, 0, TestData.Day);
        outbox.EnqueueMany([delivered, rejected, early]);
        Assert.That(outbox.RecordDeliveryReport(delivered.Key, 1), Is.True);
        Assert.That(outbox.TryGet(delivered.Key, out NoticeView notSent) ? notSent.State : default, Is.EqualTo(NoticeState.Pending), "a report for a notice never sent changes nothing");

        for (int i = 0; i < 3; i++)
        {
            outbox.TryStartNext(_time.GetUtcNow(), out OutgoingSms sms, out _);
            if (sms.Key == early.Key)
            {
                outbox.RecordDeliveryReport(sms.Key, 1); // overtakes the sendsms answer
            }
            outbox.MarkAccepted(sms.Key, "0: Accepted for delivery");
        }
        outbox.RecordDeliveryReport(delivered.Key, 1);
        outbox.RecordDeliveryReport(delivered.Key, 8); // SMSC ack after the final report: noted, state kept
        outbox.RecordDeliveryReport(rejected.Key, 16);
        Assert.That(outbox.RecordDeliveryReport("grey-000000000000000-00000-1", 1), Is.False);

        Assert.Multiple(() =>
        {
            Assert.That(outbox.TryGet(delivered.Key, out NoticeView d) ? (d.State, d.LastDlrType) : default, Is.EqualTo((NoticeState.Delivered, (byte)8)));
            Assert.That(outbox.TryGet(rejected.Key, out NoticeView r) ? r.State : default, Is.EqualTo(NoticeState.Undelivered));
            Assert.That(outbox.TryGet(early.Key, out NoticeView e) ? (e.State, e.Sent.HasValue) : default, Is.EqualTo((NoticeState.Delivered, true)));
            Assert.That((outbox.DeliveredCount, outbox.UndeliveredCount, outbox.SentCount, outbox.PendingCount), Is.EqualTo((2L, 1L, 0L, 0L)));
        });
    }

    [Test]
    public async Task Queries_find_notices_by_imei_and_by_msisdn_oldest_first()
    {
        using Notifier notifier = await TestData.OpenAsync(_dir.Path, _time);
        await TestData.ImportAsync(notifier, TestData.DirectoryCsv);
        notifier.Outbox.Enqueue(TestData.Grey());
        _time.Advance(TimeSpan.FromDays(1));
        notifier.Outbox.Enqueue(new NoticeRequest(NoticeKind.DailyReminder, TestData.Imei, TestData.RuImsi, TestData.Deadline, TestData.Day.AddDays(1)));
        notifier.Outbox.Enqueue(TestData.Grey(TestData.RuImsi, TestData.Device(7)));

        Assert.That(notifier.Outbox.FindByImei(TestData.Imei).Select(v => v.Kind), Is.EqualTo(new[] { NoticeKind.GreyStart, NoticeKind.DailyReminder }));
        Assert.That(notifier.Outbox.FindByMsisdn(TestData.RuMsisdn), Has.Count.EqualTo(3));
        Assert.That(notifier.Outbox.FindByMsisdn(TestData.KkMsisdn), Is.Empty);
        Assert.That(notifier.Outbox.FindByImei(TestData.Device(8)), Is.Empty);
    }

    [Test]
    public async Task A_torn_journal_tail_loses_only_the_record_being_written()
    {
        using (Notifier notifier = await TestData.OpenAsync(_dir.Path, _time))
        {
            await TestData.ImportAsync(notifier, TestData.DirectoryCsv);
            notifier.Outbox.Enqueue(TestData.Grey());
            notifier.Outbox.Enqueue(TestData.Grey(TestData.KkImsi));
        }
        string journal = Path.Combine(_dir.Path, NoticeOutbox.JournalFileName);
        using (var stream = new FileStream(journal, FileMode.Open))
            stream.SetLength(stream.Length - 10); // the second record, torn

        using Notifier reopened = await TestData.OpenAsync(_dir.Path, _time);
        Assert.That(reopened.Outbox.FindByImei(TestData.Imei).Select(v => v.Imsi), Is.EqualTo(new[] { TestData.RuImsi }));
        Assert.That(reopened.Outbox.Enqueue(TestData.Grey(TestData.KkImsi)), Is.True, "the torn notice was never acknowledged durably");
    }

    [Test]
    public async Task Opening_compacts_a_journal_that_is_mostly_history()
    {
        NotifyOptions options = TestData.Options(_dir.Path);
        NoticeCalendar calendar = NoticeCalendar.Create(RegimeCalendar.Default, options);
        NoticeTemplates templates = NoticeTemplates.Load();
        SubscriberDirectory directory = await SubscriberDirectory.OpenAsync(_dir.Path);
        await directory.ImportAsync(new StringReader(TestData.DirectoryCsv));
        string key = TestData.Grey().Key;
        using (NoticeOutbox outbox = NoticeOutbox.Open(options, directory, templates, calendar, _time, null, compactionSlack: 10))
        {
            outbox.Enqueue(TestData.Grey());
            outbox.TryStartNext(_time.GetUtcNow(), out _, out _);
            outbox.MarkAccepted(key, "0: Accepted for delivery");
            for (int i = 0; i < 20; i++) outbox.RecordDeliveryReport(key, 4);
        }
        string path = Path.Combine(_dir.Path, NoticeOutbox.JournalFileName);
        long before = new FileInfo(path).Length;
        using (NoticeOutbox reopened = NoticeOutbox.Open(options, directory, templates, calendar, _time, null, compactionSlack: 10))
        {
            Assert.That(reopened.TryGet(key, out NoticeView view) ? (view.State, view.LastDlrType) : default, Is.EqualTo((NoticeState.Sent, (byte)4)));
        }
        long after = new FileInfo(path).Length;
        Assert.That(after, Is.LessThan(before / 10), "23 records of one notice became one");
        using NoticeOutbox third = NoticeOutbox.Open(options, directory, templates, calendar, _time, null, compactionSlack: 10);
        Assert.That(third.TryGet(key, out NoticeView again) ? again.State : default, Is.EqualTo(NoticeState.Sent));
    }

    [Test]
    public async Task Finished_notices_past_their_retention_are_dropped_and_stay_dropped_while_pending_ones_stay()
    {
        var today = new DateOnly(2026, 11, 24);
        NoticeRequest Reminder(int daysAgo, string imsi = TestData.RuImsi) =>
            new(NoticeKind.DailyReminder, TestData.Imei, imsi, TestData.Deadline, today.AddDays(-daysAgo));
        using (Notifier notifier = await TestData.OpenAsync(_dir.Path, _time))
        {
            await TestData.ImportAsync(notifier, TestData.DirectoryCsv);
            NoticeOutbox outbox = notifier.Outbox;
            outbox.EnqueueMany([Reminder(40), Reminder(36), Reminder(35), Reminder(2)]);
            for (int i = 0; i < 4; i++)
            {
                Assert.That(outbox.TryStartNext(_time.GetUtcNow(), out OutgoingSms sms, out _), Is.True);
                outbox.MarkAccepted(sms.Key, "0: Accepted for delivery");
                outbox.RecordDeliveryReport(sms.Key, 1);
            }
            outbox.Enqueue(Reminder(50, TestData.KkImsi)); // still pending: never dropped, however old
            outbox.Enqueue(Reminder(50, "401010000000001")); // parked: never dropped either

            Assert.That(outbox.Prune(today, retainDays: 35), Is.EqualTo(2), "the 40- and 36-day-old delivered reminders");
            Assert.That(outbox.FindByImei(TestData.Imei).Select(n => (n.LocalDay, n.State)), Is.EquivalentTo(new[]
            {
                (today.AddDays(-35), NoticeState.Delivered), (today.AddDays(-2), NoticeState.Delivered),
                (today.AddDays(-50), NoticeState.Pending), (today.AddDays(-50), NoticeState.Parked),
            }));
            Assert.That(outbox.FindByMsisdn(TestData.RuMsisdn), Has.Count.EqualTo(2));
            Assert.That((outbox.DeliveredCount, outbox.PrunedCount), Is.EqualTo((2L, 2L)));
        }
        using Notifier reopened = await TestData.OpenAsync(_dir.Path, _time);
        Assert.That(reopened.Outbox.Count, Is.EqualTo(4), "dropped again at open: the journal still holds them until a compaction");
    }

    [Test]
    public async Task Notify_RetainDays_decides_which_final_notices_the_next_open_drops_and_pending_ones_stay()
    {
        var today = new DateOnly(2026, 11, 24);
        NoticeRequest Reminder(int daysAgo, string imsi = TestData.RuImsi) =>
            new(NoticeKind.DailyReminder, TestData.Imei, imsi, TestData.Deadline, today.AddDays(-daysAgo));
        using (Notifier notifier = await TestData.OpenAsync(_dir.Path, _time, o => o.RetainDays = 10))
        {
            await TestData.ImportAsync(notifier, TestData.DirectoryCsv);
            NoticeOutbox outbox = notifier.Outbox;
            outbox.EnqueueMany([Reminder(12), Reminder(5)]);
            for (int i = 0; i < 2; i++)
            {
                Assert.That(outbox.TryStartNext(_time.GetUtcNow(), out OutgoingSms sms, out _), Is.True);
                outbox.MarkAccepted(sms.Key, "0: Accepted for delivery");
                outbox.RecordDeliveryReport(sms.Key, 1);
            }
            outbox.Enqueue(Reminder(50, TestData.KkImsi)); // pending: kept however old
        }

        // The default (35 days) would keep the 12-day-old delivered reminder; Notify:RetainDays=10 drops it at open.
        using Notifier reopened = await TestData.OpenAsync(_dir.Path, _time, o => o.RetainDays = 10);
        Assert.That(reopened.Outbox.FindByImei(TestData.Imei).Select(n => (n.LocalDay, n.State)), Is.EquivalentTo(new[]
        {
            (today.AddDays(-5), NoticeState.Delivered), (today.AddDays(-50), NoticeState.Pending),
        }));
    }
}
