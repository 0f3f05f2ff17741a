using System.Globalization;
using ImeiEir.Core;
using ImeiEir.Server.Hosting;
using ImeiEir.Notify.Delivery;
using ImeiEir.Notify.Notices;
using ImeiEir.Notify.Sharing;
using ImeiEir.Notify.Subscribers;
using ImeiEir.Registry.JetStream;

namespace ImeiEir.Notify.Tests.Kannel;

/// <summary>
/// Two notifiers on one outbox shared through a real three-server NATS cluster, sending through real Kannel (issue
/// 23, item 4): a child process (ImeiEir.Notify.CrashHost) takes the sender lease and SIGKILLs itself mid-round;
/// this process's notifier, which made the same notices and receives Kannel's delivery reports, takes the lease
/// over and finishes. Every notice reaches the fake SMSC exactly once, and the notifier without the lease sends nothing.
/// </summary>
public class SharedOutboxCrashTests
{
    private const string DlrToken = "shared-dlr-token-0123456789";
    private const double LeaseSeconds = 2;
    private const double DlrWaitSeconds = 20;

    // Kannel's reports reach the survivor this late: after it took the lease over (within 2 s of the kill, plus its
    // next try), well within its wait for them.
    private static readonly TimeSpan DlrDelay = TimeSpan.FromSeconds(6);

    private static int s_streams;

    private TempDirectory _dir = null!;
    private NatsCluster _nats = null!;
    private NatsOptions _natsOptions = null!;

    private static KannelGateway Gateway => KannelSetUp.Gateway;

    [SetUp]
    public async Task SetUp()
    {
        _dir = new TempDirectory();
        _nats = await NatsCluster.StartAsync(3);
        _natsOptions = new NatsOptions { Url = _nats.Urls, Stream = $"SMS{Interlocked.Increment(ref s_streams)}", Replicas = 3 };
    }

    [TearDown]
    public void TearDown()
    {
        _nats.Dispose();
        _dir.Dispose();
    }

    [Test]
    public async Task Killed_after_kannel_accepted_before_recording_the_survivor_takes_over_and_every_notice_reaches_the_smsc_once() =>
        await KillMidRoundAsync("--crash-after-send", "77017000041", deviceBase: 41, survivorSends: 1);

    [Test]
    public async Task Killed_after_marking_sending_before_the_http_call_the_survivor_resends_it_and_every_notice_reaches_the_smsc_once() =>
        await KillMidRoundAsync("--crash-before-send", "77017000051", deviceBase: 51, survivorSends: 2);

    [Test]
    public async Task Two_notifiers_on_one_shared_outbox_only_the_lease_holder_sends_and_each_notice_made_on_both_reaches_the_smsc_once()
    {
        const string msisdn = "77017000061", imsi = "401017000000061";
        NoticeRequest[] requests = [.. Enumerable.Range(61, 4).Select(n => new NoticeRequest(NoticeKind.Blacklisted, TestData.Device(n), imsi, 0, TestData.Day))];
        await using JetStreamLease leaseA = await JetStreamLease.OpenAsync(_natsOptions, "notifier", TimeSpan.FromSeconds(LeaseSeconds), CancellationToken.None);
        await using JetStreamLease leaseB = await JetStreamLease.OpenAsync(_natsOptions, "notifier", TimeSpan.FromSeconds(LeaseSeconds), CancellationToken.None);
        await using var connectionA = NatsConnections.Create(_natsOptions);
        await using var connectionB = NatsConnections.Create(_natsOptions);
        using Notifier a = await OpenSharedAsync("a", connectionA, leaseA);
        using Notifier b = await OpenSharedAsync("b", connectionB, leaseB);
        foreach (Notifier n in new[] { a, b }) await TestData.ImportAsync(n, $"{imsi},{msisdn},{TestData.Iin},ru\n");

        using var http = new HttpClient();
        using NotifierService serviceA = a.CreateService(http, TimeProvider.System);
        using NotifierService serviceB = b.CreateService(http, TimeProvider.System);
        await serviceA.StartAsync(CancellationToken.None);
        await serviceB.StartAsync(CancellationToken.None);
        try
        {
            // Made on both, interleaved: each notice is new on exactly one of them.
            int made = 0;
            foreach (NoticeRequest request in requests) made += (a.Outbox.Enqueue(request) ? 1 : 0) + (b.Outbox.Enqueue(request) ? 1 : 0);
            Assert.That(made, Is.EqualTo(requests.Length), "notices new on one process or the other");
            await Wait.UntilAsync(() => requests.All(r => new[] { a, b }.All(n => n.Outbox.TryGet(r.Key, out NoticeView v) && v.State is NoticeState.Sent or NoticeState.Delivered)),
                "every notice sent, as both processes' outboxes say", seconds: 60);
        }
        finally
        {
            await serviceA.StopAsync(CancellationToken.None);
            await serviceB.StopAsync(CancellationToken.None);
        }
        await Gateway.SendAndAwaitAsync("77017000099", "after the two notifiers");

        List<ReceivedSms> received = Gateway.ReceivedBy(msisdn);
        Assert.Multiple(() =>
        {
            Assert.That(received, Has.Count.EqualTo(requests.Length), "SMS at the fake SMSC");
            Assert.That(new[] { serviceA.Attempted, serviceB.Attempted }, Is.EquivalentTo(new long[] { requests.Length, 0 }), "SMS handed to Kannel by each process: the holder all, the other none");
            Assert.That((a.Outbox.Count, b.Outbox.Count), Is.EqualTo((requests.Length, requests.Length)), "one record per notice on each process");
        });
    }

    private async Task<Notifier> OpenSharedAsync(string name, NATS.Client.Core.INatsConnection connection, JetStreamLease lease)
    {
        NotifyOptions options = KannelOptions(Path.Combine(_dir.Path, name));
        var sharing = new NoticeSharing(connection, _natsOptions.Stream + "_NOTICES", 3, new JetStreamNotifierLease(lease), TimeSpan.FromSeconds(DlrWaitSeconds));
        return await Notifier.OpenAsync(options, TimeProvider.System, null, null, sharing);
    }

    /// <summary>Sending through the shared Kannel, fast, with the DLR token every process of these tests shares.</summary>
    private static NotifyOptions KannelOptions(string dataDirectory) => TestData.Options(dataDirectory, o =>
    {
        o.SendSmsUrl = Gateway.SendSmsUrl;
        o.Username = KannelGateway.User;
        o.Password = KannelGateway.Password;
        o.From = "1414";
        o.RatePerSecond = 100;
        o.InitialBackoff = TimeSpan.FromMilliseconds(100);
        o.MaxBackoff = TimeSpan.FromSeconds(1);
        o.DlrToken = DlrToken;
    });

    /// <summary>
    /// The child makes three notices and sends; at its second notice it dies at <paramref name="killPoint"/>. This
    /// process made the same three notices (none new), sent nothing while the child held the lease, and sends
    /// <paramref name="survivorSends"/> after taking it over. Kannel's delivery reports come through a relay that
    /// holds them back until after the take-over, so the survivor finds the notice Kannel took still Sending and
    /// must wait for its report rather than resend it.
    /// </summary>
    private async Task KillMidRoundAsync(string killPoint, string msisdn, int deviceBase, int survivorSends)
    {
        string imsi = "4010170000" + msisdn[^5..];
        string childData = Path.Combine(_dir.Path, "child"), survivorData = Path.Combine(_dir.Path, "survivor");
        Directory.CreateDirectory(childData);
        SubscriberDirectory childDirectory = await SubscriberDirectory.OpenAsync(childData);
        await childDirectory.ImportAsync(new StringReader($"{imsi},{msisdn},{TestData.Iin},ru\n"));
        Imei[] devices = [TestData.Device(deviceBase), TestData.Device(deviceBase + 1), TestData.Device(deviceBase + 2)];
        NoticeRequest[] requests = [.. devices.Select(d => new NoticeRequest(NoticeKind.Blacklisted, d, imsi, 0, TestData.Day))];
        string[] noticeArgs = [.. devices.SelectMany(d => new[] { "--notice", string.Create(CultureInfo.InvariantCulture, $"Blacklisted,{d},{imsi},0,2026-11-24") })];

        // The survivor: its own data directory and subscriber directory, the same bucket, the same DLR token.
        NotifyOptions options = KannelOptions(survivorData);
        await using JetStreamLease lease = await JetStreamLease.OpenAsync(_natsOptions, "notifier", TimeSpan.FromSeconds(LeaseSeconds), CancellationToken.None);
        await using var connection = NatsConnections.Create(_natsOptions);
        var sharing = new NoticeSharing(connection, _natsOptions.Stream + "_NOTICES", 3, new JetStreamNotifierLease(lease), TimeSpan.FromSeconds(DlrWaitSeconds));
        using Notifier survivor = await Notifier.OpenAsync(options, TimeProvider.System, null, null, sharing);
        await TestData.ImportAsync(survivor, $"{imsi},{msisdn},{TestData.Iin},ru\n");
        await using ApiHost api = await ApiHost.StartAsync(survivor);
        options.DlrUrl = api.DlrUrl;
        await using DelayedDlrRelay relay = await DelayedDlrRelay.StartAsync(api.DlrUrl, DlrDelay);

        using ChildProcess child = ChildProcess.StartDll("ImeiEir.Notify.CrashHost.dll",
        [
            "--data", childData, "--sendsms", Gateway.SendSmsUrl, "--user", KannelGateway.User, "--password", KannelGateway.Password,
            "--from", "1414", "--seconds", "60", "--nats", _natsOptions.Url!, "--stream", _natsOptions.Stream,
            "--lease-seconds", LeaseSeconds.ToString(CultureInfo.InvariantCulture), "--dlr-wait-seconds", DlrWaitSeconds.ToString(CultureInfo.InvariantCulture),
            "--dlr-url", relay.Url, "--dlr-token", DlrToken, .. noticeArgs, killPoint, "2",
        ]);
        Assert.That(child.WaitForLine(l => l.Contains("enqueued 3 of 3", StringComparison.Ordinal), TimeSpan.FromSeconds(60), out _), Is.True,
            "the child made the three notices\n" + child.Transcript);
        Assert.That(survivor.Outbox.EnqueueMany(requests), Is.Zero, "the same notices made again in this process: none new");
        Assert.That(child.WaitForLine(l => l.Contains("lease taken", StringComparison.Ordinal), TimeSpan.FromSeconds(60), out _), Is.True,
            "the child holds the sender lease before this process's notifier starts\n" + child.Transcript);

        using var http = new HttpClient();
        using NotifierService service = survivor.CreateService(http, TimeProvider.System);
        await service.StartAsync(CancellationToken.None);
        try
        {
            Assert.That(child.WaitForExit(TimeSpan.FromSeconds(60)), Is.True, "the child dies within 60 s\n" + child.Transcript);
            Assert.That(child.ExitCode, Is.EqualTo(128 + 9), "killed by SIGKILL\n" + child.Transcript);
            Assert.That(child.Stdout, Does.Contain("SIGKILL after"), child.Transcript);

            await Wait.UntilAsync(() => requests.All(r => survivor.Outbox.TryGet(r.Key, out NoticeView v) && v.State is NoticeState.Sent or NoticeState.Delivered),
                "every notice sent after the take-over", seconds: 60,
                diagnostics: () => string.Join("\n", requests.Select(r => survivor.Outbox.TryGet(r.Key, out NoticeView v) ? v.ToString() : r.Key)) + "\n" + child.Transcript);
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }
        // Whatever Kannel accepted has reached the fake SMSC once this later SMS has (one SMSC link, in order).
        await Gateway.SendAndAwaitAsync("77017000099", $"after the take-over {deviceBase}");

        List<ReceivedSms> received = Gateway.ReceivedBy(msisdn);
        int[] copies = [.. devices.Select(d => received.Count(r => r.Text.StartsWith($"Устройство с IMEI {d} внесено в «черный список»", StringComparison.Ordinal)))];
        string states = string.Join("\n", requests.Select(r => survivor.Outbox.TryGet(r.Key, out NoticeView v) ? v.ToString() : r.Key));
        Assert.Multiple(() =>
        {
            Assert.That(copies, Is.EqualTo(new[] { 1, 1, 1 }), "copies of each notice at the fake SMSC\n" + states + "\n" + child.Transcript);
            Assert.That(received, Has.Count.EqualTo(devices.Length));
            Assert.That(service.Attempted, Is.EqualTo(survivorSends), "SMS the survivor handed to Kannel");
            Assert.That(survivor.Outbox.Count, Is.EqualTo(devices.Length), "one record per notice");
        });
    }
}
