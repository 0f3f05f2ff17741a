using System.Net;
using Microsoft.Extensions.Time.Testing;

namespace ImeiEir.Server.Tests.Lifecycle;

/// <summary>/metrics counts every answer exactly once, per interface and status, and the open connections.</summary>
[TestFixture]
[NonParallelizable]
public sealed class MetricsCountTests
{
    private const string HomeImsi = "401011234567890";
    private const string White = "35209900176148", Black = "35123456000000"; // from the embedded demo lists
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 2, 3, 0, 0, TimeSpan.Zero));
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(20) };
    private string _root = null!;
    private InProcessHost _node = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _root = Path.Combine(Path.GetTempPath(), "imeieir-metrics-" + Guid.NewGuid().ToString("N"));
        _node = await InProcessHost.StartAsync(_clock, "--Mode=all-in-one", $"--DataDir={_root}",
            "--Diameter:Port=0", "--Http:Port=0", "--Registry:Port=0", "--Http:ListCountInterval=00:00:00");
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _node.DisposeAsync();
        _http.Dispose();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    [Test]
    public async Task Answer_counters_and_latency_histograms_move_by_exactly_the_requests_sent()
    {
        string before = await ScrapeAsync();
        var random = new Random(4);
        int s13White = random.Next(3, 9), s13Black = random.Next(3, 9), s13Grey = random.Next(1, 5), s13Error = random.Next(1, 4);
        int n5gWhite = random.Next(2, 6), n5gError = random.Next(1, 4), lookups = random.Next(2, 6);

        using (var mme = new S13Client(_node.Diameter))
        {
            for (int i = 0; i < s13White; i++) mme.Check(White, HomeImsi);
            for (int i = 0; i < s13Black; i++) mme.Check(Black, HomeImsi);
            for (int i = 0; i < s13Grey; i++) mme.Check($"352741082{i:D5}", HomeImsi); // unknown → provisional grey
            for (int i = 0; i < s13Error; i++) Assert.That(mme.Check("3527X108200001", HomeImsi).Item1, Is.EqualTo(5004u));

            // Mid-connection: what the open connection counted is published at this scrape, not only at its close.
            string during = await ScrapeAsync();
            Assert.That(Delta(before, during, "imeieir_answers_total{interface=\"s13\",status=\"whitelisted\"}"), Is.EqualTo(s13White));
            Assert.That(MetricsText.Value(during, "imeieir_diameter_connections"), Is.EqualTo(1));
        }
        for (int i = 0; i < n5gWhite; i++)
            await _http.GetAsync(new Uri(_node.Http, $"n5g-eir-eic/v1/equipment-status?pei=imei-{Luhn.With(White)}"));
        for (int i = 0; i < n5gError; i++)
            await _http.GetAsync(new Uri(_node.Http, "n5g-eir-eic/v1/equipment-status?pei=imei-1"));
        for (int i = 0; i < lookups; i++)
            await _http.GetAsync(new Uri(_node.Http, $"v1/imei/{Black}"));

        // The connection's close is counted asynchronously by the server: wait for the gauge, bounded.
        Assert.That(await InProcessHost.EventuallyAsync(async () => MetricsText.Value(await ScrapeAsync(), "imeieir_diameter_connections") == 0), Is.True);
        string after = await ScrapeAsync();

        Assert.Multiple(() =>
        {
            Assert.That(Delta(before, after, "imeieir_answers_total{interface=\"s13\",status=\"whitelisted\"}"), Is.EqualTo(s13White));
            Assert.That(Delta(before, after, "imeieir_answers_total{interface=\"s13\",status=\"blacklisted\"}"), Is.EqualTo(s13Black));
            Assert.That(Delta(before, after, "imeieir_answers_total{interface=\"s13\",status=\"greylisted\"}"), Is.EqualTo(s13Grey));
            Assert.That(Delta(before, after, "imeieir_answers_total{interface=\"s13\",status=\"error\"}"), Is.EqualTo(s13Error));
            Assert.That(Delta(before, after, "imeieir_request_duration_seconds_count{interface=\"s13\"}"), Is.EqualTo(s13White + s13Black + s13Grey + s13Error));
            Assert.That(Delta(before, after, "imeieir_request_duration_seconds_bucket{interface=\"s13\",le=\"+Inf\"}"), Is.EqualTo(s13White + s13Black + s13Grey + s13Error));
            Assert.That(Delta(before, after, "imeieir_answers_total{interface=\"n5g\",status=\"whitelisted\"}"), Is.EqualTo(n5gWhite));
            Assert.That(Delta(before, after, "imeieir_answers_total{interface=\"n5g\",status=\"error\"}"), Is.EqualTo(n5gError));
            Assert.That(Delta(before, after, "imeieir_request_duration_seconds_count{interface=\"n5g\"}"), Is.EqualTo(n5gWhite + n5gError));
            Assert.That(Delta(before, after, "imeieir_answers_total{interface=\"lookup\",status=\"blacklisted\"}"), Is.EqualTo(lookups));
            Assert.That(Delta(before, after, "imeieir_request_duration_seconds_sum{interface=\"s13\"}"), Is.GreaterThan(0));
        });

        // Each provisional grey was reported, and the registry's grey records reached the store's list counts.
        Assert.That(await InProcessHost.EventuallyAsync(async () =>
            MetricsText.Value(await ScrapeAsync(), "imeieir_sightings_reported_total") >= s13Grey), Is.True);
        Assert.That(MetricsText.Value(await ScrapeAsync(), "imeieir_records{list=\"grey\"}"), Is.GreaterThanOrEqualTo(s13Grey));
    }

    private async Task<string> ScrapeAsync()
    {
        using HttpResponseMessage response = await _http.GetAsync(new Uri(_node.Http, "metrics"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        return await response.Content.ReadAsStringAsync();
    }

    private static double Delta(string before, string after, string series) =>
        MetricsText.Value(after, series) - MetricsText.Value(before, series);
}
