using System.Text.Json;
using ImeiEir.Server.Tests.Lifecycle;
using Microsoft.Extensions.Time.Testing;
using YamlDotNet.RepresentationModel;

namespace ImeiEir.Server.Tests.Deploy;

/// <summary>
/// The dashboard and the alert rules read only metrics a real server exports: an all-in-one process (node and
/// registry in one, so both sets of metrics) scraped on its HTTP port, where every process serves /metrics.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class MetricNamesTests
{
    // Not ours: Prometheus's own scrape health and node_exporter's filesystem metrics (the service exports no disk
    // metric). Every other name must be the service's.
    private static readonly HashSet<string> External = ["up", "node_filesystem_avail_bytes", "node_filesystem_size_bytes"];

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(20) };
    private TempDirectory _root = null!;
    private InProcessHost _server = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _root = new TempDirectory();
        _server = await InProcessHost.StartAsync(new FakeTimeProvider(DateTimeOffset.UtcNow), "--Mode=all-in-one", $"--DataDir={_root.Path}",
            "--Diameter:Port=0", "--Http:Port=0", "--Registry:Port=0", "--Sbi:Port=0");
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _server.DisposeAsync();
        _http.Dispose();
        _root.Dispose();
    }

    [Test]
    public async Task Every_metric_the_dashboard_reads_is_exported()
    {
        HashSet<string> exported = Exported(await _http.GetStringAsync(new Uri(_server.Http, "metrics")));
        string[] used = [.. DashboardExpressions().SelectMany(PromQlNames.Of).Distinct()];
        Assert.That(used, Does.Contain("imeieir_request_duration_seconds_bucket"), "the extraction found the histogram");
        Assert.That(used.Where(n => !External.Contains(n)).Select(PromQlNames.Family).Where(n => !exported.Contains(n)), Is.Empty);
    }

    [Test]
    public async Task Every_metric_the_alert_rules_read_is_exported()
    {
        HashSet<string> exported = Exported(await _http.GetStringAsync(new Uri(_server.Http, "metrics")));
        string[] used = [.. RuleExpressions().SelectMany(PromQlNames.Of).Distinct()];
        Assert.That(used, Does.Contain("imeieir_node_ready"));
        Assert.That(used.Where(n => !External.Contains(n)).Select(PromQlNames.Family).Where(n => !exported.Contains(n)), Is.Empty);
    }

    [Test]
    public async Task The_node_ready_gauge_is_1_on_a_ready_node()
    {
        string text = await _http.GetStringAsync(new Uri(_server.Http, "metrics"));
        Assert.That(MetricsText.Value(text, "imeieir_node_ready"), Is.EqualTo(1));
    }

    [Test]
    public async Task The_sms_sender_gauge_is_0_without_a_gateway()
    {
        string text = await _http.GetStringAsync(new Uri(_server.Http, "metrics"));
        Assert.That(text, Does.Contain("# TYPE imeieir_notice_sender gauge"));
        Assert.That(MetricsText.Value(text, "imeieir_notice_sender"), Is.Zero, "no Notify:SendSmsUrl: nothing is sent");
    }

    [Test]
    public void The_name_extraction_sees_metrics_and_skips_functions_labels_and_durations()
    {
        string[] names = [.. PromQlNames.Of(
            "histogram_quantile(0.99, sum by (le, interface) (rate(x_bucket{instance=~\"$instance\"}[$__rate_interval]))) / on (job) up and y > 3")];
        Assert.That(names, Is.EquivalentTo(new[] { "x_bucket", "up", "y" }));
    }

    private static HashSet<string> Exported(string text) =>
    [
        .. text.Split('\n')
            .Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal))
            .Select(l => l.Split(' ')[2]),
    ];

    private static IEnumerable<string> DashboardExpressions()
    {
        using JsonDocument dashboard = JsonDocument.Parse(DeployKit.Read("deploy", "grafana", "imeieir.json"));
        var expressions = new List<string>();
        foreach (JsonElement panel in dashboard.RootElement.GetProperty("panels").EnumerateArray())
            foreach (JsonElement target in panel.GetProperty("targets").EnumerateArray())
                expressions.Add(target.GetProperty("expr").GetString()!);
        // The instance variable's query: label_values(metric, label) reads the metric only.
        foreach (JsonElement variable in dashboard.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray())
            expressions.Add(variable.GetProperty("query").GetString()!.Replace("label_values(", "(").Split(',')[0] + ")");
        Assert.That(expressions, Has.Count.GreaterThan(10));
        return expressions;
    }

    private static IEnumerable<string> RuleExpressions()
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(DeployKit.Read("deploy", "prometheus", "alerts.yml")));
        return ((YamlSequenceNode)((YamlMappingNode)yaml.Documents[0].RootNode).Children[new YamlScalarNode("groups")])
            .Cast<YamlMappingNode>()
            .SelectMany(g => ((YamlSequenceNode)g.Children[new YamlScalarNode("rules")]).Cast<YamlMappingNode>())
            .Select(r => ((YamlScalarNode)r.Children[new YamlScalarNode("expr")]).Value!)
            .ToList();
    }
}
