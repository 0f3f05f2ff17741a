using System.Text.RegularExpressions;
using ImeiEir.Server.Hosting;
using YamlDotNet.RepresentationModel;

namespace ImeiEir.Server.Tests.Deploy;

/// <summary>
/// The compose file parses, and what it tells the service is what the service knows: its command lines (with the
/// image's ENV) pass the server's own settings validation, each published port is one the service listens on in
/// that mode, and Prometheus scrapes the services' HTTP ports.
/// </summary>
[TestFixture]
public sealed partial class ComposeTests
{
    private static YamlMappingNode Services()
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(DeployKit.Read("deploy", "compose", "compose.yml")));
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        return (YamlMappingNode)root.Children[new YamlScalarNode("services")];
    }

    // Services built from the project's Dockerfile (the x-imeieir anchor merged in with <<).
    public static IEnumerable<string> ImeiEirServices() =>
        Services().Children.Where(s => Merged((YamlMappingNode)s.Value).TryGetValue("image", out YamlNode? image)
                && ((YamlScalarNode)image).Value == "imeieir:latest")
            .Select(s => ((YamlScalarNode)s.Key).Value!).ToList();

    [Test]
    public void The_compose_file_has_a_registry_two_nodes_kannel_and_prometheus()
    {
        Assert.That(ImeiEirServices(), Is.EquivalentTo(new[] { "registry", "node1", "node2" }));
        string[] all = [.. Services().Children.Keys.Cast<YamlScalarNode>().Select(k => k.Value!)];
        Assert.That(all, Does.Contain("kannel").And.Contain("prometheus"));
        Assert.That(Modes(), Is.EqualTo(new Dictionary<string, ServerMode>
        {
            ["registry"] = ServerMode.Registry, ["node1"] = ServerMode.Eir, ["node2"] = ServerMode.Eir,
        }));
    }

    [TestCaseSource(nameof(ImeiEirServices))]
    public void Every_published_port_is_one_the_service_listens_on(string service)
    {
        ServerSettings settings = Settings(service);
        var listening = new HashSet<int> { settings.Http.Port };
        if (settings.Mode.RunsRegistry()) listening.Add(settings.Registry.Port);
        if (settings.Mode.RunsNode()) { listening.Add(settings.Diameter.Port); listening.Add(settings.Sbi.Port); }
        var ports = (YamlSequenceNode)Merged((YamlMappingNode)Services().Children[new YamlScalarNode(service)])["ports"];
        foreach (YamlScalarNode port in ports.Cast<YamlScalarNode>())
        {
            int container = int.Parse(port.Value!.Split(':')[^1].Split('/')[0]);
            Assert.That(listening, Does.Contain(container), $"{service} publishes {port.Value}");
        }
    }

    [Test]
    public void Prometheus_scrapes_the_http_port_of_every_imeieir_service()
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(DeployKit.Read("deploy", "prometheus", "prometheus.yml")));
        string[] targets = [.. ((YamlSequenceNode)((YamlMappingNode)yaml.Documents[0].RootNode)["scrape_configs"])
            .Cast<YamlMappingNode>().Where(job => ((YamlScalarNode)job["job_name"]).Value!.StartsWith("imeieir", StringComparison.Ordinal))
            .SelectMany(job => ((YamlSequenceNode)job["static_configs"]).Cast<YamlMappingNode>())
            .SelectMany(c => ((YamlSequenceNode)c["targets"]).Cast<YamlScalarNode>().Select(t => t.Value!))];
        string[] expected = [.. ImeiEirServices().Select(s => $"{s}:{Settings(s).Http.Port}")];
        Assert.That(targets, Is.EquivalentTo(expected));
    }

    [TestCaseSource(nameof(ImeiEirServices))]
    public void The_services_command_line_passes_the_servers_settings_validation(string service)
    {
        Assert.DoesNotThrow(() => Settings(service));
    }

    // The same check refuses what the server would refuse: proof that the test above can fail.
    [TestCase("--Registry:Ur=http://registry:8700", "Registry:Ur")]
    [TestCase("--Http:Prot=8080", "Http:Prot")]
    [TestCase("--Metrics:Port=9100", "Metrics:Port")]
    public void A_misspelled_key_on_a_command_line_is_refused_naming_it(string argument, string key)
    {
        var e = Assert.Throws<ConfigurationException>(() => SettingsCheck.Load([.. Arguments("node1"), argument]));
        Assert.That(e!.Message, Does.StartWith(key));
    }

    private static Dictionary<string, ServerMode> Modes() =>
        ImeiEirServices().ToDictionary(s => s, s => Settings(s).Mode);

    private static ServerSettings Settings(string service) => SettingsCheck.Load(Arguments(service));

    // The image's ENV, then the service's command (later wins), with ${VAR:?...} filled from example.env.
    private static IEnumerable<string> Arguments(string service)
    {
        Dictionary<string, string> example = DeployKit.Read("deploy", "compose", "example.env").Split('\n')
            .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        var command = (YamlSequenceNode)Merged((YamlMappingNode)Services().Children[new YamlScalarNode(service)])["command"];
        IEnumerable<string> own = command.Cast<YamlScalarNode>().Select(a => Interpolation().Replace(a.Value!, m =>
            example.TryGetValue(m.Groups[1].Value, out string? v) ? v : throw new AssertionException($"{m.Groups[1].Value} is not in example.env")));
        return SettingsCheck.DockerfileArguments().Concat(own);
    }

    // YamlDotNet's representation model resolves anchors and aliases but not the merge key: merge it here.
    private static Dictionary<string, YamlNode> Merged(YamlMappingNode node)
    {
        var merged = new Dictionary<string, YamlNode>();
        if (node.Children.TryGetValue(new YamlScalarNode("<<"), out YamlNode? baseNode))
            foreach (var kv in ((YamlMappingNode)baseNode).Children)
                merged[((YamlScalarNode)kv.Key).Value!] = kv.Value;
        foreach (var kv in node.Children)
            if (((YamlScalarNode)kv.Key).Value != "<<")
                merged[((YamlScalarNode)kv.Key).Value!] = kv.Value;
        return merged;
    }

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-?][^}]*)?\}")]
    private static partial Regex Interpolation();
}
