using System.Text.RegularExpressions;

namespace ImeiEir.Integration.Tests;

/// <summary>
/// The real server, <c>dotnet imeieir.dll</c>, as a child process on 127.0.0.1 and a port it picks itself
/// (--Diameter:Port=0), with a fresh data directory and the test lists. Ready once it prints
/// <c>ImeiEir ready: diameter=127.0.0.1:PORT</c>. Disposing sends SIGTERM, waits up to 10 s, then kills it.
/// </summary>
internal sealed partial class ServerProcess : IDisposable
{
    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly ChildProcess _process;
    private readonly string _root;
    private readonly bool _ownsRoot; // false for a server on another one's data directory
    private int? _exitCode;

    private ServerProcess(ChildProcess process, string root, int port, bool ownsRoot = true)
    {
        _process = process;
        _root = root;
        _ownsRoot = ownsRoot;
        Port = port;
    }

    /// <summary>The server's --DataDir.</summary>
    public string DataDir => Path.Combine(_root, "data");

    /// <summary>The Diameter port on 127.0.0.1 the server reported.</summary>
    public int Port { get; }

    public string Endpoint => $"127.0.0.1:{Port}";

    public int ProcessId => _process.Id;

    /// <summary>Everything the server wrote so far (stderr lines marked "!").</summary>
    public string Output => _process.Transcript;

    /// <summary>Starts a server with <see cref="TestLists.InitialListsCsv"/> and <paramref name="extraArgs"/> (--Key=value).</summary>
    public static ServerProcess Start(params string[] extraArgs) => StartWithLists(TestLists.InitialListsCsv(), extraArgs);

    /// <summary>Starts a server with <paramref name="initialListsCsv"/> as its initial lists.</summary>
    public static ServerProcess StartWithLists(string initialListsCsv, params string[] extraArgs)
    {
        string dll = Path.Combine(TestEnvironment.OutputDirectory, "imeieir.dll");
        if (!File.Exists(dll)) Assert.Fail($"{dll} is missing: the test project references src/ImeiEir.Server, build it");

        string root = TestEnvironment.NewTempDirectory("server");
        Directory.CreateDirectory(Path.Combine(root, "data"));
        File.WriteAllText(Path.Combine(root, "initial-lists.csv"), initialListsCsv);
        return StartIn(root, ownsRoot: true, extraArgs);
    }

    /// <summary>
    /// Starts a server on the data directory and lists of <paramref name="other"/> (running or not), which keeps
    /// owning them: this one leaves them in place when disposed.
    /// </summary>
    public static ServerProcess StartOnDataOf(ServerProcess other, params string[] extraArgs) => StartIn(other._root, ownsRoot: false, extraArgs);

    /// <summary>The command line of a server on <paramref name="other"/>'s data directory, to start by hand (one expected to fail).</summary>
    public static (string FileName, string[] Arguments, Dictionary<string, string> Environment) CommandOnDataOf(ServerProcess other) =>
        (TestEnvironment.DotnetHost, Arguments(other._root, []), Environment());

    /// <summary>
    /// The command line of a server on a fresh directory (its data directory not yet created) with
    /// <paramref name="extraArgs"/>, to start by hand (one expected to fail); the caller deletes <c>Root</c>.
    /// </summary>
    public static (string FileName, string[] Arguments, Dictionary<string, string> Environment, string Root) CommandInNewDirectory(params string[] extraArgs)
    {
        string root = TestEnvironment.NewTempDirectory("server");
        File.WriteAllText(Path.Combine(root, "initial-lists.csv"), TestLists.InitialListsCsv());
        return (TestEnvironment.DotnetHost, Arguments(root, extraArgs), Environment(), root);
    }

    private static string[] Arguments(string root, string[] extraArgs) =>
    [
        Path.Combine(TestEnvironment.OutputDirectory, "imeieir.dll"),
        "--Diameter:Host=127.0.0.1",
        "--Diameter:Port=0",
        "--Http:Host=127.0.0.1",
        "--Http:Port=0",
        "--Sbi:Host=127.0.0.1",
        "--Sbi:Port=0",
        "--Registry:Host=127.0.0.1",
        "--Registry:Port=0",
        $"--DataDir={Path.Combine(root, "data")}",
        $"--Registry:InitialLists={Path.Combine(root, "initial-lists.csv")}",
        .. extraArgs,
    ];

    private static Dictionary<string, string> Environment() => new()
    {
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        ["DOTNET_NOLOGO"] = "1",
        // No ambient configuration from the machine running the tests.
        ["DOTNET_ENVIRONMENT"] = "Production",
    };

    private static ServerProcess StartIn(string root, bool ownsRoot, string[] extraArgs)
    {
        string[] args = Arguments(root, extraArgs);
        Dictionary<string, string> environment = Environment();
        ChildProcess process = ChildProcess.Start(TestEnvironment.DotnetHost, args, environment, root);

        bool ready = process.WaitForLine(l => ReadyLine().IsMatch(l), ReadyTimeout, out string line);
        if (!ready)
        {
            bool exited = process.WaitForExit(TimeSpan.FromMilliseconds(200));
            string why = exited ? $"exited with code {process.ExitCode} before it was ready" : $"not ready within {ReadyTimeout.TotalSeconds:0} s";
            process.Dispose();
            if (ownsRoot) TestEnvironment.DeleteQuietly(root);
            Assert.Fail($"server {why}.\ncommand: {process.CommandLine}\noutput:\n{process.Transcript}");
        }
        int port = int.Parse(ReadyLine().Match(line).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        if (port == 0)
        {
            process.Dispose();
            Assert.Fail($"server reported port 0: {line}");
        }
        TestContext.Progress.WriteLine($"server pid {process.Id} ready on 127.0.0.1:{port}");
        return new ServerProcess(process, root, port, ownsRoot);
    }

    /// <summary>
    /// SIGTERM and up to <see cref="StopTimeout"/> for an orderly exit (DPR to peers, checkpoint); SIGKILL after that.
    /// Returns the exit code, or null when it had to be killed.
    /// </summary>
    public int? Stop()
    {
        if (_exitCode is not null || _process.HasExited) return _exitCode ??= SafeExitCode();
        bool clean = _process.Terminate(StopTimeout);
        _exitCode = clean ? _process.ExitCode : null;
        return _exitCode;
    }

    /// <summary>Waits for a line of the server's output (stdout) to match; false on timeout.</summary>
    public bool WaitForOutput(Func<string, bool> match, TimeSpan timeout, out string line) =>
        _process.WaitForLine(match, timeout, out line);

    /// <summary>SIGKILL: no DPR, no checkpoint, nothing released but what the kernel releases.</summary>
    public void Kill()
    {
        _process.Signal(ChildProcess.SigKill);
        _process.WaitForExit(TimeSpan.FromSeconds(10));
    }

    public void Dispose()
    {
        Stop();
        _process.Dispose();
        if (_ownsRoot) TestEnvironment.DeleteQuietly(_root);
    }

    private int? SafeExitCode()
    {
        _process.WaitForExit(TimeSpan.FromSeconds(5));
        return _process.HasExited ? _process.ExitCode : null;
    }

    [GeneratedRegex(@"^ImeiEir ready: diameter=127\.0\.0\.1:(\d+)\b")]
    private static partial Regex ReadyLine();
}
