using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ImeiEir.Notify.Tests.Kannel;
using Microsoft.Extensions.Time.Testing;

namespace ImeiEir.Server.Tests.Lifecycle;

/// <summary>
/// An all-in-one server on a fake regime clock (starting at <see cref="Cluster.Day0"/>) sending its notices to real
/// Kannel (bearerbox, smsbox, fakesmsc), with two subscribers in the directory: one Russian-speaking, one Kazakh.
/// </summary>
internal sealed class SmsServer : IAsyncDisposable
{
    public const string AdminToken = "admin-token-for-sms-tests";
    public const string RuImsi = "401011234567890", RuMsisdn = "77011234567";
    public const string KkImsi = "401019876543210", KkMsisdn = "77027654321";
    public const string Iin = "900101300123";

    private readonly string _root;
    private readonly int _registryPort;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(20) };

    private SmsServer(string root, int registryPort, KannelGateway kannel, InProcessHost server, FakeTimeProvider clock)
    {
        _root = root;
        _registryPort = registryPort;
        Kannel = kannel;
        Server = server;
        Clock = clock;
    }

    public KannelGateway Kannel { get; }

    public InProcessHost Server { get; }

    /// <summary>The regime clock: decisions, deadlines, expiry, reminder times.</summary>
    public FakeTimeProvider Clock { get; }

    public IPEndPoint Diameter => Server.Diameter;

    /// <summary>The registry's admin port.</summary>
    public Uri RegistryUrl => new($"http://127.0.0.1:{_registryPort}/");

    /// <summary>Starts Kannel and the server; <paramref name="extra"/> are more command-line settings (e.g. template sets).</summary>
    public static async Task<SmsServer> StartAsync(string name, params string[] extra)
    {
        string root = Path.Combine(Path.GetTempPath(), $"imeieir-{name}-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(root, "kannel"));
        KannelGateway kannel = KannelGateway.Start(Path.Combine(root, "kannel"));
        int registryPort = InProcessHost.FreePort();
        var clock = new FakeTimeProvider(Cluster.Day0);
        InProcessHost server = await InProcessHost.StartAsync(clock, [
            "--Mode=all-in-one", $"--DataDir={Path.Combine(root, "server")}", "--Diameter:Port=0", "--Http:Port=0",
            "--Registry:Host=127.0.0.1", $"--Registry:Port={registryPort}", $"--Registry:AdminToken={AdminToken}",
            "--Registry:LoadDemoLists=false", "--Sightings:FlushInterval=00:00:00.02",
            $"--Notify:SendSmsUrl={kannel.SendSmsUrl}", $"--Notify:Username={KannelGateway.User}",
            $"--Notify:Password={KannelGateway.Password}", "--Notify:From=1414", "--Notify:RatePerSecond=50",
            "--Notify:InitialBackoff=00:00:00.1", "--Notify:MaxBackoff=00:00:00.4", .. extra]);
        var sms = new SmsServer(root, registryPort, kannel, server, clock);
        (HttpStatusCode status, string body) = await sms.AdminAsync(HttpMethod.Post, "v1/subscribers",
            $"imsi,msisdn,iin,language\n{RuImsi},{RuMsisdn},{Iin},ru\n{KkImsi},{KkMsisdn},{Iin},kk\n");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body);
        return sms;
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Kannel.Dispose();
        _http.Dispose();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    /// <summary>A request to the registry's admin port with the admin token; <paramref name="csv"/> as a text/csv body.</summary>
    public async Task<(HttpStatusCode Status, string Body)> AdminAsync(HttpMethod method, string path, string? csv = null)
    {
        using var request = new HttpRequestMessage(method, new Uri($"http://127.0.0.1:{_registryPort}/{path}"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        if (csv is not null) request.Content = new StringContent(csv, Encoding.UTF8, "text/csv");
        using HttpResponseMessage response = await _http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The server's /metrics exposition.</summary>
    public async Task<string> MetricsAsync() => await _http.GetStringAsync(new Uri(Server.Http, "metrics"));

    /// <summary>The notices recorded for a device (GET /v1/notices?imei=), as JSON elements.</summary>
    public async Task<List<JsonElement>> NoticesAsync(string imei15)
    {
        (HttpStatusCode status, string body) = await AdminAsync(HttpMethod.Get, $"v1/notices?imei={imei15}");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body);
        return [.. JsonDocument.Parse(body).RootElement.GetProperty("notices").EnumerateArray().Select(n => n.Clone())];
    }

    /// <summary>The SMS the fake SMSC received for <paramref name="msisdn"/> about the device, once at least <paramref name="count"/> arrived.</summary>
    public async Task<List<string>> SmsAboutAsync(string msisdn, string imei15, int count = 1)
    {
        await InProcessHost.EventuallyAsync(() => Task.FromResult(Texts(msisdn, imei15).Count >= count), seconds: 20);
        List<string> texts = Texts(msisdn, imei15);
        Assert.That(texts, Has.Count.GreaterThanOrEqualTo(count),
            $"SMS to {msisdn} about {imei15} within 20 s; received:\n{string.Join("\n", texts)}");
        return texts;
    }

    /// <summary>What the fake SMSC has received for <paramref name="msisdn"/> about the device so far.</summary>
    public List<string> Texts(string msisdn, string imei15) =>
        [.. Kannel.ReceivedBy(msisdn).Where(m => m.Text.Contains(imei15, StringComparison.Ordinal)).Select(m => m.Text)];
}
