using YamlDotNet.RepresentationModel;

namespace ImeiEir.Server.Tests.Deploy;

/// <summary>The alert rules and the scrape configuration, checked by Prometheus's own promtool.</summary>
[TestFixture]
public sealed class PromtoolTests
{
    private static readonly string Prometheus = DeployKit.Path("deploy", "prometheus");

    private static string Promtool => DeployKit.Tool("promtool", "prometheus");

    [Test]
    public void The_alert_rules_pass_promtool_check_rules()
    {
        var (exit, stdout, stderr) = DeployKit.Run(Promtool, Prometheus, "check", "rules", "alerts.yml");
        Assert.That(exit, Is.Zero, stdout + stderr);
        Assert.That(stdout, Does.Contain($"SUCCESS: {AlertNames().Count()} rules found"), "promtool read every alert of the file");
    }

    [Test]
    public void The_scrape_configuration_passes_promtool_check_config()
    {
        var (exit, stdout, stderr) = DeployKit.Run(Promtool, Prometheus, "check", "config", "prometheus.yml");
        Assert.That(exit, Is.Zero, stdout + stderr);
    }

    [Test]
    public void Every_alert_fires_on_its_bad_series_and_stays_quiet_on_the_good_ones()
    {
        var (exit, stdout, stderr) = DeployKit.Run(Promtool, Prometheus, "test", "rules", "alerts.test.yml");
        Assert.That(exit, Is.Zero, stdout + stderr);
    }

    public static IEnumerable<string> AlertNames()
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(DeployKit.Path("deploy", "prometheus", "alerts.yml"))));
        return Rules(yaml).Select(r => ((YamlScalarNode)r.Children[new YamlScalarNode("alert")]).Value!).ToList();
    }

    // Proves the tests file tests each alert: with the alert's expression made always false, or always true, the
    // unit tests fail (an alert the tests file never checked would pass both ways).
    [TestCaseSource(nameof(AlertNames))]
    public void The_rules_tests_fail_when_an_alert_never_fires_or_always_fires(string alert)
    {
        Assert.Multiple(() =>
        {
            Assert.That(RunTestsWithExpression(alert, "vector(1) == 0"), Is.Not.Zero, $"{alert} never firing went unnoticed");
            Assert.That(RunTestsWithExpression(alert, "vector(1)"), Is.Not.Zero, $"{alert} always firing went unnoticed");
        });
    }

    private static int RunTestsWithExpression(string alert, string expression)
    {
        using var temp = new TempDirectory();
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(DeployKit.Path("deploy", "prometheus", "alerts.yml"))));
        YamlMappingNode rule = Rules(yaml).Single(r => ((YamlScalarNode)r.Children[new YamlScalarNode("alert")]).Value == alert);
        rule.Children[new YamlScalarNode("expr")] = new YamlScalarNode(expression);
        using (var writer = new StreamWriter(Path.Combine(temp.Path, "alerts.yml")))
            yaml.Save(writer, assignAnchors: false);
        File.Copy(DeployKit.Path("deploy", "prometheus", "alerts.test.yml"), Path.Combine(temp.Path, "alerts.test.yml"));
        return DeployKit.Run(Promtool, temp.Path, "test", "rules", "alerts.test.yml").ExitCode;
    }

    private static IEnumerable<YamlMappingNode> Rules(YamlStream yaml) =>
        ((YamlSequenceNode)((YamlMappingNode)yaml.Documents[0].RootNode).Children[new YamlScalarNode("groups")])
        .Cast<YamlMappingNode>()
        .SelectMany(g => ((YamlSequenceNode)g.Children[new YamlScalarNode("rules")]).Cast<YamlMappingNode>());
}
