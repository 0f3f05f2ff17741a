using System.Net;
using ImeiEir.Core;
using ImeiEir.Notify.Delivery;
using ImeiEir.Notify.Notices;
using ImeiEir.Notify.Outbox;
using ImeiEir.Notify.Sharing;
using ImeiEir.Registry.JetStream;
using ImeiEir.Server.Hosting;
using Microsoft.Extensions.Time.Testing;
using NATS.Client.Core;

namespace ImeiEir.Notify.Tests;

/// <summary>
/// The outbox shared through a JetStream bucket on a real three-server NATS cluster, without sending (no gateway):
/// what one process records, the other's replica holds; a delivery report recorded on either is the bucket's; and
/// retention drops a finished notice from the bucket too. And the take-over's gaps, on a sender whose lease is
/// always held and a fake clock: a replica behind the bucket, a write whose acknowledgement was lost.
/// </summary>
public class SharedOutboxTests
{
    private TempDirectory _dir = null!;
    private NatsCluster _nats = null!;
    private NatsOptions _natsOptions = null!;
    private readonly List<IAsyncDisposable> _owned = [];

    [SetUp]
    public async Task SetUp()
    {
        _dir = new TempDirectory();
        _nats = await NatsCluster.StartAsync(3);
        _natsOptions = new NatsOptions { Url = _nats.Urls, Stream = "SHARED", Replicas = 3 };
    }

    [TearDown]
    public async Task TearDown()
    {
        foreach (IAsyncDisposable owned in Enumerable.Reverse(_owned)) await owned.DisposeAsync();
        _nats.Dispose();
        _dir.Dispose();
    }

    private static readonly TimeSpan DlrWait = TimeSpan.FromSeconds(10);

    /// <summary>A lease this process holds from the start and never loses (the sender's side of a take-over).</summary>
    private sealed class HeldLease : INotifierLease
    {
        public TimeSpan TimeToLive => TimeSpan.FromHours(1);

        public bool IsHeld => true;

        public Task<bool> TryAcquireOrRenewAsync(CancellationToken ct) => Task.FromResult(true);

        public Task ReleaseAsync(CancellationToken ct) => Task.CompletedTask;
    }

    /// <summary>
    /// A lease renewed every time, which reads as not held from <see cref="LapseUntilRenewal"/> until the next renewal:
    /// a renewal come late (the machine loaded) lets the time to live run out for a moment, then succeeds.
    /// </summary>
    private sealed class LaggingLease : INotifierLease
    {
        private int _lapsed;
        private int _lapsedReads;

        public TimeSpan TimeToLive => TimeSpan.FromSeconds(3);

        public bool IsHeld
        {
            get
            {
                if (Volatile.Read(ref _lapsed) == 0) return true;
                Interlocked.Increment(ref _lapsedReads);
                return false;
            }
        }

        /// <summary>How often the lease was read as not held.</summary>
        public int LapsedReads => Volatile.Read(ref _lapsedReads);

        public void LapseUntilRenewal() => Volatile.Write(ref _lapsed, 1);

        public Task<bool> TryAcquireOrRenewAsync(CancellationToken ct)
        {
            Volatile.Write(ref _lapsed, 0);
            return Task.FromResult(true);
        }

        public Task ReleaseAsync(CancellationToken ct) => Task.CompletedTask;
    }

    private async Task<Notifier> OpenAsync(string name, INotifierLease? heldLease = null, Action<NotifyOptions>? configure = null)
    {
        INotifierLease notifierLease;
        if (heldLease is null)
        {
            JetStreamLease lease = await JetStreamLease.OpenAsync(_natsOptions, "notifier", TimeSpan.FromSeconds(2), CancellationToken.None);
            _owned.Add(lease);
            notifierLease = new JetStreamNotifierLease(lease);
        }
        else
        {
            notifierLease = heldLease;
        }
        NatsConnection connection = NatsConnections.Create(_natsOptions);
        _owned.Add(connection);
        var sharing = new NoticeSharing(connection, "SHARED_NOTICES", 3, notifierLease, DlrWait);
        Notifier notifier = await Notifier.OpenAsync(TestData.Options(Path.Combine(_dir.Path, name), configure), TimeProvider.System, null, null, sharing);
        await TestData.ImportAsync(notifier, TestData.DirectoryCsv);
        return notifier;
    }

    [Test]
    public async Task A_notice_recorded_on_one_process_is_held_by_the_other_and_a_pruned_one_leaves_the_bucket()
    {
        using Notifier a = await OpenAsync("a");
        using Notifier b = await OpenAsync("b");
        NoticeRequest request = TestData.Grey();
        Assert.That(a.Outbox.Enqueue(request), Is.True);
        Assert.That(b.Outbox.Enqueue(request), Is.False, "made again on the other process: a duplicate");
        await Wait.UntilAsync(() => b.Outbox.TryGet(request.Key, out NoticeView v) && v.State == NoticeState.Pending, "the other process's replica holds it");

        // Sent by a, reported delivered at b: both hold Delivered.
        Assert.That(a.Outbox.TryStartNext(DateTimeOffset.UtcNow, out OutgoingSms sms, out _), Is.True);
        a.Outbox.MarkAccepted(sms.Key, "0: Accepted for delivery");
        await Wait.UntilAsync(() => b.Outbox.TryGet(request.Key, out NoticeView v) && v.State == NoticeState.Sent, "the other process's replica holds it sent");
        Assert.That(b.Outbox.RecordDeliveryReport(request.Key, 1), Is.True);
        await Wait.UntilAsync(() => a.Outbox.TryGet(request.Key, out NoticeView v) && v.State == NoticeState.Delivered, "the sender's replica holds the report");

        // Retention on a drops it from the bucket: a process opened afterwards does not get it back.
        Assert.That(a.Outbox.Prune(TestData.Day.AddDays(400), retainDays: 1), Is.EqualTo(1));
        using Notifier c = await OpenAsync("c");
        Assert.That(c.Outbox.Count, Is.Zero, "notices a process opened after the prune holds");
    }

    [Test]
    public async Task Notices_restored_in_JetStream_mode_go_to_the_bucket_at_the_first_share_and_the_restoring_process_sends_them()
    {
        NoticeRequest request = TestData.Grey();
        IReadOnlyList<BackupSection> sections;
        using (Notifier old = await TestData.OpenAsync(Path.Combine(_dir.Path, "old"), TimeProvider.System))
        {
            await TestData.ImportAsync(old, TestData.DirectoryCsv);
            Assert.That(old.Outbox.Enqueue(request), Is.True);
            sections = NotifierBackup.Capture(old);
        }
        // As NotifierRestore leaves a JetStream registry's notifier directory.
        string restored = Path.Combine(_dir.Path, "restored"), marker = Path.Combine(restored, NoticeOutbox.RestoredFileName);
        NotifierBackup.Restore(sections, restored);
        File.WriteAllText(marker, "restored from a test\n");

        using Notifier a = await OpenAsync("restored");
        using Notifier b = await OpenAsync("b");
        Assert.Multiple(() =>
        {
            Assert.That(b.Outbox.TryGet(request.Key, out NoticeView held) ? held.State : (NoticeState?)null, Is.EqualTo(NoticeState.Pending),
                "the other process of the stream holds the restored notice");
            Assert.That(File.Exists(marker), Is.False, "put in the bucket once");
        });
        // Sending needs the notice in the bucket: a notice the bucket lacks was refused ("not in the shared outbox").
        Assert.That(a.Outbox.TryStartNext(DateTimeOffset.UtcNow, out OutgoingSms sms, out _), Is.True);
        a.Outbox.MarkAccepted(sms.Key, "0: Accepted for delivery");
        await Wait.UntilAsync(() => b.Outbox.TryGet(request.Key, out NoticeView v) && v.State == NoticeState.Sent, "the other process's replica holds it sent");
    }

    /// <summary>Sends through a scripted gateway, on the fake clock.</summary>
    private static void Sending(NotifyOptions o)
    {
        o.SendSmsUrl = "http://127.0.0.1:13013/cgi-bin/sendsms";
        o.Username = "tester";
        o.Password = "secret";
        o.From = "1414";
        o.RatePerSecond = 1000;
        o.InitialBackoff = TimeSpan.FromSeconds(1);
        o.MaxBackoff = TimeSpan.FromSeconds(4);
    }

    /// <summary>Holds the watch of <paramref name="notifier"/> until the returned source is set: its replica stays behind the bucket.</summary>
    private static TaskCompletionSource HoldWatch(Notifier notifier)
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        notifier.Shared!.BeforeApply = ct => release.Task.WaitAsync(ct);
        return release;
    }

    /// <summary>A notice made on <paramref name="a"/>, once <paramref name="b"/>'s replica holds it pending.</summary>
    private static async Task<NoticeRequest> MadeOnAHeldByBAsync(Notifier a, Notifier b)
    {
        NoticeRequest request = TestData.Grey();
        Assert.That(a.Outbox.Enqueue(request), Is.True);
        await Wait.UntilAsync(() => b.Outbox.TryGet(request.Key, out NoticeView v) && v.State == NoticeState.Pending, "b's replica holds it pending");
        return request;
    }

    [Test]
    public async Task A_notice_picked_on_a_stale_copy_is_not_sent_when_another_process_changed_it_meanwhile()
    {
        using Notifier a = await OpenAsync("a");
        using Notifier b = await OpenAsync("b");
        NoticeRequest request = await MadeOnAHeldByBAsync(a, b);
        TaskCompletionSource release = HoldWatch(b);
        try
        {
            // a tried it and failed: Pending again in the bucket, not before an hour; b's copy still says Pending, due now.
            Assert.That(a.Outbox.TryStartNext(DateTimeOffset.UtcNow, out OutgoingSms sms, out _), Is.True);
            a.Outbox.MarkAttemptFailed(sms.Key, "gateway down", DateTimeOffset.UtcNow.AddHours(1), maxAttempts: 0);

            Assert.That(b.Outbox.TryStartNext(DateTimeOffset.UtcNow, out _, out DateTimeOffset? nextDue), Is.False,
                "b picks the notice on its stale copy: the conflict shows a's change, which it must not override");
            Assert.That(b.Outbox.TryGet(request.Key, out NoticeView held), Is.True);
            Assert.That((held.State, held.Attempts, nextDue > DateTimeOffset.UtcNow.AddMinutes(30)), Is.EqualTo((NoticeState.Pending, 1, true)),
                "b holds a's record: one attempt, due in an hour");
        }
        finally
        {
            release.SetResult();
        }
    }

    [Test]
    public async Task A_pick_that_conflicts_with_a_write_leaving_the_notice_pending_at_the_same_due_time_still_sends_it()
    {
        using Notifier a = await OpenAsync("a");
        using Notifier b = await OpenAsync("b");
        NoticeRequest request = await MadeOnAHeldByBAsync(a, b);
        TaskCompletionSource release = HoldWatch(b);
        try
        {
            // a tried it and put it back as its sender died with it: Pending, due at once, as b's stale copy says
            // too, but one attempt on. b's pick conflicts and holds a's record; its pending slot is unchanged.
            Assert.That(a.Outbox.TryStartNext(DateTimeOffset.UtcNow, out OutgoingSms first, out _), Is.True);
            Assert.That(a.Outbox.RequeueStillSending([(first.Key, first.Attempt)]), Is.EqualTo(1));

            bool picked = b.Outbox.TryStartNext(DateTimeOffset.UtcNow, out OutgoingSms sms, out _);
            if (!picked)
            {
                // Not sent on the conflicting pick: then at least on the next one, once b's watch is level again.
                release.SetResult();
                await Task.Delay(TimeSpan.FromMilliseconds(500));
                picked = b.Outbox.TryStartNext(DateTimeOffset.UtcNow, out sms, out _);
            }
            Assert.That(picked ? (sms.Key, sms.Attempt) : default, Is.EqualTo((request.Key, 2)),
                "b sends a's notice, on its second attempt (a notice left Pending with no slot to pick it is never sent)");
        }
        finally
        {
            release.TrySetResult();
        }
    }

    [Test]
    public async Task A_sender_whose_lease_lapsed_for_a_moment_sends_again_after_the_next_renewal()
    {
        var time = new FakeTimeProvider(TestData.Start);
        var clock = new WatchedClock(time);
        var gateway = new FakeGateway(time);
        using var http = new HttpClient(gateway);
        var lease = new LaggingLease();
        using Notifier b = await OpenAsync("b", lease, Sending);
        using NotifierService service = b.CreateService(http, clock);
        await service.StartAsync(CancellationToken.None);
        try
        {
            await Wait.UntilAsync(() => service.WaitsBegun >= 2, "the sender took the lease and waits for work", diagnostics: clock.Describe);

            // The lease reads as not held when the notice comes; the renewal a second later succeeds, which changes
            // nothing for the lease loop (held before, held after).
            lease.LapseUntilRenewal();
            NoticeRequest request = TestData.Grey();
            Assert.That(b.Outbox.Enqueue(request), Is.True);
            await Wait.UntilAsync(() => lease.LapsedReads > 0, "the sender saw the lease lapsed");
            for (int second = 0; second < 5 && gateway.Count == 0; second++)
            {
                time.Advance(TimeSpan.FromSeconds(1));
                await Task.Delay(TimeSpan.FromMilliseconds(300));
            }
            await Wait.UntilAsync(() => b.Outbox.TryGet(request.Key, out NoticeView v) && v.State == NoticeState.Sent,
                "sent once the lease was renewed (a sender waiting only for a take-over never sends again)", diagnostics: clock.Describe);
            Assert.That(gateway.Count, Is.EqualTo(1), "SMS handed to the gateway");
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }
    }

    [Test]
    public async Task A_new_lease_holder_first_catches_up_then_resends_what_its_predecessor_left_sending_after_one_dlr_wait()
    {
        var time = new FakeTimeProvider(TestData.Start);
        var clock = new WatchedClock(time);
        var gateway = new FakeGateway(time);
        using var http = new HttpClient(gateway);
        using Notifier a = await OpenAsync("a");
        using Notifier b = await OpenAsync("b", new HeldLease(), Sending);
        NoticeRequest request = await MadeOnAHeldByBAsync(a, b);

        // a marks it Sending and dies before the HTTP call; b's watch has not brought that yet when b takes the lease.
        TaskCompletionSource release = HoldWatch(b);
        Assert.That(a.Outbox.TryStartNext(DateTimeOffset.UtcNow, out _, out _), Is.True);
        using NotifierService service = b.CreateService(http, clock);
        await service.StartAsync(CancellationToken.None);
        try
        {
            await Task.Delay(TimeSpan.FromMilliseconds(300)); // a take-over that does not wait for the replica decides now
            release.SetResult();
            await Wait.UntilAsync(() => b.Outbox.TryGet(request.Key, out NoticeView v) && v.State == NoticeState.Sending, "b's replica holds it Sending");
            await Wait.UntilAsync(() => clock.ArmedTimers.Any(t => t.Due == TestData.Start + DlrWait),
                "b waits one DlrWait from the take-over for the report of a's notice", diagnostics: clock.Describe);
            time.Advance(DlrWait);
            await Wait.UntilAsync(() => b.Outbox.TryGet(request.Key, out NoticeView v) && v.State == NoticeState.Sent,
                "b resent it after one DlrWait", diagnostics: clock.Describe);
            Assert.That(gateway.Count, Is.EqualTo(1), "SMS b handed to the gateway");
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }
    }

    [Test]
    public async Task A_notice_whose_sending_write_lost_its_acknowledgement_is_sent_once_after_the_holders_check()
    {
        var time = new FakeTimeProvider(TestData.Start);
        var clock = new WatchedClock(time);
        var gateway = new FakeGateway(time);
        using var http = new HttpClient(gateway);
        using Notifier b = await OpenAsync("b", new HeldLease(), Sending);
        int lost = 0;
        b.Shared!.LoseAcknowledgement = r => r.State == NoticeState.Sending && Interlocked.Increment(ref lost) == 1;
        NoticeRequest request = TestData.Grey();
        Assert.That(b.Outbox.Enqueue(request), Is.True);

        using NotifierService service = b.CreateService(http, clock);
        await service.StartAsync(CancellationToken.None);
        try
        {
            // The servers stored Sending, the sender saw a failure: its watch then brings the Sending nobody is sending.
            await Wait.UntilAsync(() => Volatile.Read(ref lost) == 1 && b.Outbox.TryGet(request.Key, out NoticeView v) && v.State == NoticeState.Sending,
                "the lost acknowledgement, and the Sending brought by the watch",
                diagnostics: () => $"lost {lost}, gateway {gateway.Count}, {(b.Outbox.TryGet(request.Key, out NoticeView v) ? v.ToString() : "?")}, {clock.Describe()}");
            for (int round = 0; round < 4 && gateway.Count == 0; round++)
            {
                time.Advance(DlrWait);
                await Task.Delay(TimeSpan.FromMilliseconds(500));
            }
            await Wait.UntilAsync(() => b.Outbox.TryGet(request.Key, out NoticeView v) && v.State == NoticeState.Sent,
                "sent within a few DlrWaits of the fake clock", diagnostics: clock.Describe);
            Assert.That(gateway.Count, Is.EqualTo(1), "SMS handed to the gateway");
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }
    }
}
