using System.Diagnostics;
using System.Text;

namespace ImeiEir.Load.Tests;

/// <summary>
/// A child process (the server, eirctl, eirload) with its output collected line by line, so a test can wait for a
/// line and still show the whole transcript when it fails. Every wait is bounded; disposing kills what is left.
/// Modelled on tests/ImeiEir.Integration.Tests/ChildProcess.cs, reduced to what these tests need.
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly object _gate = new();
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _transcript = new();
    private readonly List<string> _lines = [];

    private ChildProcess(Process process) => _process = process;

    public string Transcript { get { lock (_gate) return _transcript.ToString(); } }

    public string Stdout { get { lock (_gate) return _stdout.ToString(); } }

    public int ExitCode => _process.ExitCode;

    /// <summary>The dotnet host running this test (the CLI sets DOTNET_HOST_PATH for its children).</summary>
    public static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>Starts <c>dotnet DLL args</c>, the DLL taken from the test output directory.</summary>
    public static ChildProcess StartDll(string dll, params string[] args) => StartDll(dll, new Dictionary<string, string>(), args);

    /// <summary>As <see cref="StartDll(string, string[])"/>, with extra environment variables for the child.</summary>
    public static ChildProcess StartDll(string dll, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        string path = Path.Combine(TestContext.CurrentContext.TestDirectory, dll);
        if (!File.Exists(path)) Assert.Fail($"{path} is missing: the test project references its project, build it");
        var info = new ProcessStartInfo(DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        info.ArgumentList.Add(path);
        foreach (string a in args) info.ArgumentList.Add(a);
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment.Remove("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS"); // each test says what it wants
        foreach ((string name, string value) in environment) info.Environment[name] = value;
        var process = new Process { StartInfo = info };
        var child = new ChildProcess(process);
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data, error: false);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data, error: true);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    private void OnLine(string? line, bool error)
    {
        if (line is null) return;
        lock (_gate)
        {
            _transcript.Append(error ? "! " : "").AppendLine(line);
            if (!error)
            {
                _stdout.AppendLine(line);
                _lines.Add(line);
            }
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Waits for a stdout line matching <paramref name="match"/>; false when the time is up or the process exited.</summary>
    public bool WaitForLine(Func<string, bool> match, TimeSpan timeout, out string line)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        lock (_gate)
        {
            int seen = 0;
            while (true)
            {
                for (; seen < _lines.Count; seen++)
                {
                    if (match(_lines[seen])) { line = _lines[seen]; return true; }
                }
                long left = deadline - Stopwatch.GetTimestamp();
                if (left <= 0 || _process.HasExited) { line = ""; return false; }
                Monitor.Wait(_gate, TimeSpan.FromMilliseconds(Math.Min(100, left * 1000.0 / Stopwatch.Frequency)));
            }
        }
    }

    public bool WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout)) return false;
        _process.WaitForExit(); // drains the output readers
        return true;
    }

    /// <summary>SIGTERM, then SIGKILL after <paramref name="grace"/>.</summary>
    public void Stop(TimeSpan grace)
    {
        if (_process.HasExited) return;
        try
        {
            Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])?.WaitForExit(2000);
        }
        catch (System.ComponentModel.Win32Exception)
        {
        }
        if (!_process.WaitForExit(grace)) _process.Kill(entireProcessTree: true);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            _process.WaitForExit(5000);
        }
        _process.Dispose();
    }
}
