using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace ImeiEir.Integration.Tests;

/// <summary>
/// One real <c>dotnet imeieir.dll</c> in <c>registry</c> or <c>eir</c> mode, on 127.0.0.1 and ports it picks itself
/// (port 0), over a data directory the test owns (it survives the process, so a test can restart on it).
/// The endpoints come from the ready line (<c>ImeiEir ready: diameter=… http=… registry=…</c>); an EIR node prints
/// it only after its first catch-up, so for a node still catching up <see cref="DiscoverHttpPort"/> finds the HTTP
/// port from Kestrel's "Now listening on" lines instead. Disposing kills whatever still runs; the data stays.
/// </summary>
internal sealed partial class ClusterProcess : IDisposable
{
    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);

    private readonly ChildProcess _process;

    private ClusterProcess(ChildProcess process, string name, string dataDir)
    {
        _process = process;
        Name = name;
        DataDir = dataDir;
    }

    /// <summary>For messages: "registry", "node-a", …</summary>
    public string Name { get; }

    public string DataDir { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Diameter port (EIR node), once ready.</summary>
    public int DiameterPort { get; private set; }

    /// <summary>Operational HTTP port (/health/ready, /v1/digest), once ready or discovered.</summary>
    public int HttpPort { get; private set; }

    /// <summary>Registry API port (registry), once ready.</summary>
    public int RegistryPort { get; private set; }

    public IPEndPoint DiameterEndPoint => new(IPAddress.Loopback, DiameterPort);

    public Uri HttpUrl => new($"http://127.0.0.1:{HttpPort}");

    public Uri RegistryUrl => new($"http://127.0.0.1:{RegistryPort}");

    /// <summary>Everything the process wrote so far (stderr lines marked "!").</summary>
    public string Output => _process.Transcript;

    public IReadOnlyList<string> OutputLines => _process.StdoutLines;

    /// <summary>
    /// Starts a registry over <paramref name="dataDir"/> with the given tokens (no demo lists) and waits for its
    /// ready line. <paramref name="registryPort"/> 0 picks a free port; a restart may ask for its previous one.
    /// </summary>
    public static ClusterProcess StartRegistry(string name, string dataDir, string adminToken, string readerToken,
        int registryPort = 0, params string[] extraArgs)
    {
        ClusterProcess registry = LaunchRegistry(name, dataDir, adminToken, readerToken, registryPort, extraArgs);
        registry.WaitUntilReady();
        return registry;
    }

    /// <summary>As <see cref="StartRegistry"/> without waiting: for a start that is to be refused (<see cref="WaitForExit"/>).</summary>
    public static ClusterProcess LaunchRegistry(string name, string dataDir, string adminToken, string readerToken,
        int registryPort = 0, params string[] extraArgs) =>
        Launch(name, dataDir,
        [
            "--Mode=registry",
            "--Http:Host=127.0.0.1",
            "--Http:Port=0",
            "--Registry:Host=127.0.0.1",
            $"--Registry:Port={registryPort.ToString(CultureInfo.InvariantCulture)}",
            $"--Registry:AdminToken={adminToken}",
            $"--Registry:ReaderToken={readerToken}",
            "--Registry:LoadDemoLists=false",
            .. extraArgs,
        ]);

    /// <summary>
    /// Starts a registry process on JetStream stream <paramref name="stream"/> of the NATS servers
    /// <paramref name="natsUrls"/> (comma-separated), otherwise as <see cref="StartRegistry"/>.
    /// </summary>
    public static ClusterProcess StartJetStreamRegistry(string name, string dataDir, string natsUrls, string stream, int registryPort = 0,
        params string[] extraArgs) =>
        StartRegistry(name, dataDir, ClusterClient.AdminToken, ClusterClient.ReaderToken, registryPort, [.. JetStreamArgs(natsUrls, stream), .. extraArgs]);

    /// <summary>The arguments that put a registry process on JetStream stream <paramref name="stream"/> of <paramref name="natsUrls"/>.</summary>
    public static string[] JetStreamArgs(string natsUrls, string stream) =>
        ["--Registry:Log=JetStream", $"--Registry:Nats:Url={natsUrls}", $"--Registry:Nats:Stream={stream}"];

    /// <summary>
    /// Starts an EIR node following <paramref name="registryUrl"/>. With <paramref name="waitForReady"/> it returns once
    /// the node printed its ready line (first catch-up done); otherwise at once.
    /// </summary>
    public static ClusterProcess StartEir(string name, string dataDir, Uri registryUrl, string readerToken,
        bool waitForReady = true, params string[] extraArgs) =>
        StartEir(name, dataDir, [registryUrl], readerToken, waitForReady, extraArgs);

    /// <summary>
    /// Starts an EIR node following the registry processes <paramref name="registryUrls"/> of one registry
    /// (<c>Registry:Url=R1,R2</c>, tried in that order); otherwise as the overload with one URL.
    /// </summary>
    public static ClusterProcess StartEir(string name, string dataDir, IReadOnlyList<Uri> registryUrls, string readerToken,
        bool waitForReady = true, params string[] extraArgs)
    {
        ClusterProcess node = Launch(name, dataDir,
        [
            "--Mode=eir",
            $"--Registry:Url={string.Join(',', registryUrls.Select(u => u.GetLeftPart(UriPartial.Authority)))}",
            $"--Registry:ReaderToken={readerToken}",
            "--Diameter:Host=127.0.0.1",
            "--Diameter:Port=0",
            "--Http:Host=127.0.0.1",
            "--Http:Port=0",
            "--Sbi:Host=127.0.0.1",
            "--Sbi:Port=0",
            // Kestrel's "Now listening on: …" lines, so the HTTP port is known before the ready line.
            "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information",
            .. extraArgs,
        ]);
        if (waitForReady) node.WaitUntilReady();
        return node;
    }

    private static ClusterProcess Launch(string name, string dataDir, string[] modeArgs)
    {
        string dll = Path.Combine(TestEnvironment.OutputDirectory, "imeieir.dll");
        if (!File.Exists(dll)) Assert.Fail($"{dll} is missing: the test project references src/ImeiEir.Server, build it");
        Directory.CreateDirectory(dataDir);
        var environment = new Dictionary<string, string>
        {
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_ENVIRONMENT"] = "Production",
        };
        ChildProcess process = ChildProcess.Start(TestEnvironment.DotnetHost, [dll, $"--DataDir={dataDir}", .. modeArgs], environment, dataDir);
        TestContext.Progress.WriteLine($"{name}: pid {process.Id} started");
        return new ClusterProcess(process, name, dataDir);
    }

    /// <summary>Waits for the ready line and reads the endpoints from it; fails the test on timeout or exit.</summary>
    public void WaitUntilReady(TimeSpan? timeout = null) => WaitForEndpoints("ImeiEir ready:", "ready", timeout);

    /// <summary>
    /// Waits for the listening line (bound, ready or not: a node prints it before its first catch-up) and reads the
    /// endpoints from it; fails the test on timeout or exit.
    /// </summary>
    public void WaitUntilListening(TimeSpan? timeout = null) => WaitForEndpoints("ImeiEir listening:", "listening", timeout);

    private void WaitForEndpoints(string prefix, string what, TimeSpan? timeout)
    {
        TimeSpan wait = timeout ?? ReadyTimeout;
        if (!_process.WaitForLine(l => l.StartsWith(prefix, StringComparison.Ordinal), wait, out string line))
        {
            string why = _process.WaitForExit(TimeSpan.FromMilliseconds(200))
                ? $"exited with code {_process.ExitCode} before it was {what}"
                : $"not {what} within {wait.TotalSeconds:0} s";
            Assert.Fail($"{Name} {why}.\ncommand: {_process.CommandLine}\noutput:\n{_process.Transcript}");
        }
        foreach (Match m in EndpointPattern().Matches(line))
        {
            int port = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
            Assert.That(port, Is.Not.Zero, $"{Name} reported port 0: {line}");
            switch (m.Groups[1].Value)
            {
                case "diameter": DiameterPort = port; break;
                case "http": HttpPort = port; break;
                case "registry": RegistryPort = port; break;
            }
        }
        TestContext.Progress.WriteLine($"{Name}: {line}");
    }

    /// <summary>
    /// The HTTP port of a node that is not ready yet: of the ports in Kestrel's "Now listening on" lines, the one
    /// that answers GET /health/live.
    /// </summary>
    public int DiscoverHttpPort(HttpClient http, TimeSpan timeout)
    {
        int discovered = 0;
        Eventually.TryUntil(() =>
        {
            if (_process.HasExited) return true;
            foreach (string l in _process.StdoutLines)
            {
                Match m = ListeningPattern().Match(l);
                if (!m.Success) continue;
                int port = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
                try
                {
                    using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                    using HttpResponseMessage response = http.GetAsync($"http://127.0.0.1:{port}/health/live", cts.Token).GetAwaiter().GetResult();
                    if (response.IsSuccessStatusCode)
                    {
                        discovered = port;
                        return true;
                    }
                }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
                {
                    // the Diameter port: not HTTP
                }
            }
            return false;
        }, timeout);
        if (discovered > 0)
        {
            HttpPort = discovered;
            return discovered;
        }
        Assert.Fail($"{Name}: no HTTP port answered /health/live within {timeout.TotalSeconds:0} s\n{Output}");
        return 0;
    }

    /// <summary>Waits until <paramref name="count"/> stdout lines match <paramref name="match"/> (earlier lines count).</summary>
    public bool WaitForOutputs(Func<string, bool> match, int count, TimeSpan timeout) =>
        _process.WaitForLines(match, count, timeout, out _);

    /// <summary>Waits for a stdout line matching <paramref name="match"/> (earlier lines count).</summary>
    public bool WaitForOutput(Func<string, bool> match, TimeSpan timeout, out string line) =>
        _process.WaitForLine(match, timeout, out line);

    /// <summary>Waits for the process to end by itself; its exit code, or null when it still runs after <paramref name="timeout"/>.</summary>
    public int? WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout) ? _process.ExitCode : null;

    /// <summary>SIGKILL: no shutdown, no checkpoint, no flush; waits until the process is gone.</summary>
    public void Kill9()
    {
        _process.Signal(ChildProcess.SigKill);
        if (!_process.WaitForExit(TimeSpan.FromSeconds(10)))
            Assert.Fail($"{Name} (pid {ProcessId}) still runs 10 s after SIGKILL");
        TestContext.Progress.WriteLine($"{Name}: killed with SIGKILL");
    }

    /// <summary>SIGTERM and an orderly exit; returns the exit code (fails the test when it had to be killed).</summary>
    public int Stop()
    {
        if (_process.HasExited)
        {
            _process.WaitForExit(TimeSpan.FromSeconds(5));
            return _process.ExitCode;
        }
        if (!_process.Terminate(StopTimeout))
            Assert.Fail($"{Name} did not stop within {StopTimeout.TotalSeconds:0} s of SIGTERM\n{Output}");
        TestContext.Progress.WriteLine($"{Name}: stopped (exit {_process.ExitCode})");
        return _process.ExitCode;
    }

    public void Dispose() => _process.Dispose();

    [GeneratedRegex(@"\b(diameter|http|registry)=127\.0\.0\.1:(\d+)\b")]
    private static partial Regex EndpointPattern();

    [GeneratedRegex(@"Now listening on: http://127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningPattern();
}
