using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using ImeiEir.Notify.Tests.Kannel;

namespace ImeiEir.Integration.Tests;

/// <summary>
/// Issue 23, item 6: two JetStream registry processes on a real three-server NATS cluster share the SMS outbox and
/// send through one real Kannel, slowly (2 SMS/s); kill -9 of the process holding the sender lease mid-round. The
/// other takes over, and every notice reaches the fake SMSC exactly once: none lost, none twice. Kannel's delivery
/// reports go to the survivor (its Notify:DlrUrl on both), as a DlrUrl that outlives any one process would.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class JetStreamSmsTakeOverTests : ClusterFixture
{
    private const string DlrToken = "takeover-dlr-token-0123456789";
    private const string Msisdn = "77017000071";
    private const string Iin = "900101300123";
    private const int Notices = 12;
    private const string LeaseTaken = "holds the sender lease now";

    private NatsCluster _nats = null!;
    private TempDirectory _kannelDirectory = null!;
    private KannelGateway _kannel = null!;

    protected override string Name => "jetstream-sms-takeover";

    [OneTimeSetUp]
    public async Task StartPeers()
    {
        _nats = await NatsCluster.StartAsync(3);
        _kannelDirectory = new TempDirectory();
        _kannel = KannelGateway.Start(_kannelDirectory.Path);
    }

    [OneTimeTearDown]
    public void StopPeers()
    {
        _kannel?.Dispose();
        _kannelDirectory?.Dispose();
        _nats?.Dispose();
    }

    private ClusterProcess StartRegistry(string name, string stream, int registryPort, int dlrPort) =>
        Track(ClusterProcess.StartJetStreamRegistry(name, Path.Combine(Root, name), _nats.Urls, stream, registryPort,
            $"--Notify:SendSmsUrl={_kannel.SendSmsUrl}", $"--Notify:Username={KannelGateway.User}", $"--Notify:Password={KannelGateway.Password}",
            "--Notify:From=1414", "--Notify:RatePerSecond=2", "--Notify:RequestTimeout=00:00:05",
            $"--Notify:DlrUrl=http://127.0.0.1:{dlrPort.ToString(CultureInfo.InvariantCulture)}/v1/notices/dlr", $"--Notify:DlrToken={DlrToken}",
            "--Notify:Lease:TimeToLive=00:00:02", "--Notify:Lease:DlrWait=00:00:08"));

    private void ImportSubscriber(ClusterProcess registry)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(registry.RegistryUrl, "/v1/subscribers"))
        {
            Content = new StringContent($"imsi,msisdn,iin,language\n{ClusterClient.HomeImsi},{Msisdn},{Iin},ru\n", Encoding.UTF8, "text/csv"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ClusterClient.AdminToken);
        using HttpResponseMessage response = Client.Http.Send(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"subscriber import on {registry.Name}: {response.Content.ReadAsStringAsync().GetAwaiter().GetResult()}");
    }

    /// <summary>The states of the notices to <see cref="Msisdn"/> a registry process holds.</summary>
    private List<string> States(ClusterProcess registry) => [.. Client.Notices(registry, $"msisdn={Msisdn}").Select(n => n.GetProperty("state").GetString()!)];

    /// <summary>The registry process's <c>imeieir_notice_sender</c> gauge; -1 when it exports none.</summary>
    private double Sender(ClusterProcess registry)
    {
        string text = Client.Http.GetStringAsync(new Uri(registry.HttpUrl, "/metrics")).GetAwaiter().GetResult();
        Match m = Regex.Match(text, @"^imeieir_notice_sender (\S+)$", RegexOptions.Multiline);
        return m.Success ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : -1;
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    [Test]
    [CancelAfter(300_000)]
    public async Task Kill_9_of_the_registry_process_sending_sms_mid_round_the_other_takes_over_and_every_notice_reaches_the_smsc_once()
    {
        string stream = "SK" + Guid.NewGuid().ToString("N")[..12];
        int portB = FreePort();

        // A starts first and takes the lease; B, whose port both give Kannel for the reports, survives.
        ClusterProcess a = StartRegistry("registry-a", stream, 0, portB);
        Assert.That(a.WaitForOutput(l => l.Contains(LeaseTaken, StringComparison.Ordinal), TimeSpan.FromSeconds(30), out _), Is.True,
            "registry-a holds the sender lease\n" + a.Output);
        ClusterProcess b = StartRegistry("registry-b", stream, portB, portB);
        ImportSubscriber(a);
        ImportSubscriber(b);
        // Read before the round: a scrape between the round's start and the kill would let it end first.
        // Eventually, as below: a late renewal can make the lease read as not held for a moment.
        await Eventually.UntilAsync(() => (Sender(a), Sender(b)) == (1, 0), TimeSpan.FromSeconds(10), "imeieir_notice_sender 1 on registry-a, 0 on registry-b",
            () => $"registry-a {Sender(a)}, registry-b {Sender(b)}");

        // Grey starts of devices seen with the subscriber's IMSI: the node reports the sightings to B, which makes the
        // notices in the shared bucket; A sends them, two a second.
        ClusterProcess node = Track(ClusterProcess.StartEir("node", Path.Combine(Root, "node"), b.RegistryUrl, ClusterClient.ReaderToken));
        string[] imeis = [.. Deltas.ImeisOf(block: 71, Notices)];
        foreach (string imei in imeis) ClusterClient.Check(node, imei);
        await Eventually.UntilAsync(() => _kannel.ReceivedBy(Msisdn).Count >= 2, TimeSpan.FromSeconds(60),
            "registry-a's round under way at the fake SMSC", () => a.Output + _kannel.Logs());
        a.Kill9();
        int beforeKill = _kannel.ReceivedBy(Msisdn).Count;

        Assert.That(b.WaitForOutput(l => l.Contains(LeaseTaken, StringComparison.Ordinal), TimeSpan.FromSeconds(30), out _), Is.True,
            "registry-b takes the lease over\n" + b.Output);
        await Eventually.UntilAsync(() => Sender(b) == 1, TimeSpan.FromSeconds(10), "imeieir_notice_sender of registry-b is 1 after the take-over",
            () => $"imeieir_notice_sender {Sender(b)}\n" + b.Output);
        List<string> states = [];
        await Eventually.UntilAsync(() => (states = States(b)).Count == Notices && states.All(s => s is "sent" or "delivered"), TimeSpan.FromSeconds(90),
            "every notice sent, as registry-b's outbox says", () => string.Join(", ", states) + "\n" + b.Output);

        // Whatever Kannel accepted has reached the fake SMSC once this later SMS has (one SMSC link, in order).
        await _kannel.SendAndAwaitAsync("77017000099", "after the take-over");
        List<ReceivedSms> received = _kannel.ReceivedBy(Msisdn);
        int[] copies = [.. imeis.Select(imei => received.Count(r => r.Text.Contains(imei, StringComparison.Ordinal)))];
        Assert.Multiple(() =>
        {
            Assert.That(copies, Is.EqualTo(Enumerable.Repeat(1, Notices).ToArray()), "copies of each notice at the fake SMSC\n" + string.Join(", ", states) + "\n" + b.Output);
            Assert.That(received, Has.Count.EqualTo(Notices), "SMS at the fake SMSC");
            Assert.That(beforeKill, Is.LessThan(Notices), "the kill came mid-round");
        });
    }
}
