using System.Text.RegularExpressions;
using ImeiEir.Server.Hosting;

namespace ImeiEir.Server.Tests.Deploy;

/// <summary>
/// The systemd units: systemd's own verifier accepts them (it works in this container although systemd is not
/// PID 1: it reads the files and checks that ExecStart's binary exists), and they keep the hardening and the
/// publish layout of the Dockerfile.
/// </summary>
[TestFixture]
public sealed class SystemdUnitTests
{
    public static readonly string[] Units = ["imeieir-registry.service", "imeieir-node.service"];

    [TestCaseSource(nameof(Units))]
    public void Systemd_analyze_verify_accepts_the_unit_without_a_warning(string unit)
    {
        string analyze = DeployKit.Tool("systemd-analyze", "systemd");
        var (exit, stdout, stderr) = DeployKit.Run(analyze, DeployKit.Path("deploy", "systemd"), "verify", "./" + unit);
        Assert.That(exit, Is.Zero, stdout + stderr);
        // An unknown or misspelled key is only a warning (exit 0), and the setting silently not applied.
        Assert.That(stderr.Trim(), Is.Empty);
    }

    [TestCaseSource(nameof(Units))]
    public void The_unit_is_hardened_and_restarts_on_failure(string unit)
    {
        Dictionary<string, string> service = Section(unit, "Service");
        Assert.Multiple(() =>
        {
            Assert.That(service["User"], Is.EqualTo("imeieir"));
            Assert.That(service["ProtectSystem"], Is.EqualTo("strict"));
            Assert.That(service["ProtectHome"], Is.EqualTo("true"));
            Assert.That(service["PrivateTmp"], Is.EqualTo("true"));
            Assert.That(service["NoNewPrivileges"], Is.EqualTo("true"));
            Assert.That(service["CapabilityBoundingSet"], Is.Empty);
            Assert.That(service["Restart"], Is.EqualTo("on-failure"));
            Assert.That(service["EnvironmentFile"], Does.StartWith("/etc/imeieir/"));
            // The only writable place is the data directory the unit gives the service.
            Assert.That(service["ReadWritePaths"], Is.EqualTo(Environment(service)["IMEIEIR_DataDir"]));
        });
    }

    [TestCaseSource(nameof(Units))]
    public void ExecStart_runs_the_dll_the_Dockerfile_publishes(string unit)
    {
        Match entry = Regex.Match(DeployKit.Read("Dockerfile"), "ENTRYPOINT \\[\"dotnet\", \"([^\"]+)\"\\]");
        Assert.That(entry.Success, "the Dockerfile's ENTRYPOINT runs a dll with dotnet");
        string dll = Path.GetFileName(entry.Groups[1].Value);
        string[] exec = Section(unit, "Service")["ExecStart"].Split(' ');
        Assert.That(exec, Has.Length.EqualTo(2));
        Assert.That(exec[0], Is.EqualTo("/usr/bin/dotnet"));
        Assert.That(exec[1], Is.EqualTo("/opt/imeieir/" + dll));
    }

    // The unit's Environment= and its example EnvironmentFile, judged as the server judges them at start-up.
    [TestCase("imeieir-registry.service", "registry.env.example", ServerMode.Registry)]
    [TestCase("imeieir-node.service", "node.env.example", ServerMode.Eir)]
    public void The_units_settings_and_its_example_file_are_settings_the_server_accepts(string unit, string example, ServerMode mode)
    {
        IEnumerable<string> fromUnit = Environment(Section(unit, "Service"))
            .Where(kv => kv.Key.StartsWith(SettingsCheck.EnvironmentPrefix, StringComparison.Ordinal))
            .Select(kv => SettingsCheck.FromEnvironment($"{kv.Key}={kv.Value}"));
        IEnumerable<string> fromFile = DeployKit.Read("deploy", "systemd", example).Split('\n')
            .Select(l => l.Trim()).Where(l => l.StartsWith(SettingsCheck.EnvironmentPrefix, StringComparison.Ordinal))
            .Select(SettingsCheck.FromEnvironment);
        ServerSettings settings = SettingsCheck.Load(fromUnit.Concat(fromFile));
        Assert.That(settings.Mode, Is.EqualTo(mode));
    }

    private static Dictionary<string, string> Environment(Dictionary<string, string> service) =>
        service["Environment"].Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(e => e.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);

    private static Dictionary<string, string> Section(string unit, string name)
    {
        var values = new Dictionary<string, string>();
        string? section = null;
        foreach (string raw in DeployKit.Read("deploy", "systemd", unit).Split('\n'))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            if (line.StartsWith('[')) { section = line.Trim('[', ']'); continue; }
            if (section != name) continue;
            string[] kv = line.Split('=', 2);
            Assert.That(values.TryAdd(kv[0], kv[1]), $"{unit}: {kv[0]} is set twice");
        }
        return values;
    }
}
