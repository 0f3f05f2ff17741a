using ImeiEir.Core;
using ImeiEir.Notify.Notices;
using ImeiEir.Notify.Outbox;
using ImeiEir.Notify.Sharing;
using ImeiEir.Registry.JetStream;
using ImeiEir.Server.Hosting;
using NATS.Client.Core;

namespace ImeiEir.Notify.Tests;

/// <summary>
/// The outbox shared through a JetStream bucket on a real three-server NATS cluster, without sending (no gateway):
/// what one process records, the other's replica holds; a delivery report recorded on either is the bucket's; and
/// retention drops a finished notice from the bucket too.
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

    private async Task<Notifier> OpenAsync(string name)
    {
        JetStreamLease lease = await JetStreamLease.OpenAsync(_natsOptions, "notifier", TimeSpan.FromSeconds(2), CancellationToken.None);
        NatsConnection connection = NatsConnections.Create(_natsOptions);
        _owned.Add(lease);
        _owned.Add(connection);
        var sharing = new NoticeSharing(connection, "SHARED_NOTICES", 3, new JetStreamNotifierLease(lease), TimeSpan.FromSeconds(10));
        Notifier notifier = await Notifier.OpenAsync(TestData.Options(Path.Combine(_dir.Path, name)), TimeProvider.System, null, null, sharing);
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
}
