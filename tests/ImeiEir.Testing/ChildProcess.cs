using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace ImeiEir.Testing;

/// <summary>
/// A child process (the server, eirctl, eirload, a peer tool) whose stdout and stderr are read line by line as they
/// come, so a test can wait for a line (a "ready" banner, "Capturing on") and still hold the whole transcript for
/// its failure message. Every wait is bounded; disposing kills whatever is still running, children included.
/// </summary>
public sealed partial class ChildProcess : IDisposable
{
    public const int SigInt = 2;
    public const int SigKill = 9;
    public const int SigTerm = 15;

    private readonly Process _process;
    private readonly object _gate = new();
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];
    private readonly StringBuilder _transcript = new();
    private bool _stdoutClosed;
    private bool _stderrClosed;

    private ChildProcess(Process process, string commandLine)
    {
        _process = process;
        CommandLine = commandLine;
    }

    /// <summary>What was started, for messages.</summary>
    public string CommandLine { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The exit code; only meaningful once <see cref="WaitForExit"/> returned true.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>The dotnet host running this test (the CLI sets DOTNET_HOST_PATH for its children), for starting .dll files.</summary>
    public static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>Starts <paramref name="fileName"/> with <paramref name="arguments"/> (no shell involved).</summary>
    public static ChildProcess Start(string fileName, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null) =>
        Start(fileName, arguments, environment, workingDirectory, configure: null);

    /// <summary>
    /// Starts <c>dotnet DLL arguments</c>, the DLL taken from the test output directory (the test project references
    /// its project), as in production: DOTNET_ENVIRONMENT=Production and no inherited socket tuning.
    /// </summary>
    public static ChildProcess StartDll(string dll, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        string path = Path.Combine(TestContext.CurrentContext.TestDirectory, dll);
        if (!File.Exists(path)) Assert.Fail($"{path} is missing: the test project references its project, build it");
        return Start(DotnetHost, [path, .. arguments], environment, workingDirectory: null, info =>
        {
            info.Environment["DOTNET_ENVIRONMENT"] = "Production";
            info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            info.Environment.Remove("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS"); // each test says what it wants
        });
    }

    /// <summary>As <see cref="StartDll(string, IEnumerable{string}, IReadOnlyDictionary{string, string}?)"/>.</summary>
    public static ChildProcess StartDll(string dll, params string[] arguments) => StartDll(dll, arguments, environment: null);

    /// <summary>As <see cref="StartDll(string, IEnumerable{string}, IReadOnlyDictionary{string, string}?)"/>, with extra environment variables.</summary>
    public static ChildProcess StartDll(string dll, IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        StartDll(dll, arguments, environment);

    /// <summary>Runs a .dll of the test output directory to its end; fails the test after <paramref name="timeoutSeconds"/>.</summary>
    public static (int ExitCode, string Stdout, string Transcript) RunDll(string dll, IEnumerable<string> arguments, double timeoutSeconds = 60)
    {
        using ChildProcess child = StartDll(dll, arguments);
        if (!child.WaitForExit(TimeSpan.FromSeconds(timeoutSeconds)))
            Assert.Fail($"did not finish within {timeoutSeconds} s:\n$ {child.CommandLine}\n{child.Transcript}");
        return (child.ExitCode, child.Stdout, $"$ {child.CommandLine}\n{child.Transcript}(exit {child.ExitCode})");
    }

    private static ChildProcess Start(string fileName, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment, string? workingDirectory, Action<ProcessStartInfo>? configure)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,   // never let a child read the test host's stdin
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        foreach (string argument in arguments) info.ArgumentList.Add(argument);
        configure?.Invoke(info);
        if (environment is not null)
            foreach ((string key, string value) in environment) info.Environment[key] = value;

        string commandLine = string.Join(' ', info.ArgumentList.Prepend(fileName).Select(Quote));
        var process = new Process { StartInfo = info };
        var child = new ChildProcess(process, commandLine);
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data, isError: false);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data, isError: true);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            process.Dispose();
            throw new InvalidOperationException($"cannot start {commandLine}: {e.Message}", e);
        }
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Lines written to stdout so far.</summary>
    public IReadOnlyList<string> StdoutLines { get { lock (_gate) return [.. _stdout]; } }

    /// <summary>Lines written to stderr so far.</summary>
    public IReadOnlyList<string> StderrLines { get { lock (_gate) return [.. _stderr]; } }

    /// <summary>stdout so far, its lines joined with '\n'.</summary>
    public string Stdout { get { lock (_gate) return string.Join('\n', _stdout); } }

    /// <summary>stderr so far, its lines joined with '\n'.</summary>
    public string Stderr { get { lock (_gate) return string.Join('\n', _stderr); } }

    /// <summary>stdout and stderr interleaved in arrival order, stderr lines marked "!".</summary>
    public string Transcript { get { lock (_gate) return _transcript.ToString(); } }

    /// <summary>
    /// Waits until a line matching <paramref name="match"/> appears (earlier lines count too) on stdout, or on
    /// stderr when <paramref name="stderr"/> is set. False on timeout or when the stream ended without one.
    /// </summary>
    public bool WaitForLine(Func<string, bool> match, TimeSpan timeout, out string line, bool stderr = false) =>
        WaitForLines(match, 1, timeout, out line, stderr);

    /// <summary>
    /// Waits until <paramref name="count"/> lines matching <paramref name="match"/> have appeared (earlier lines
    /// count too); <paramref name="line"/> is the last of them. False on timeout or when the stream ended first.
    /// </summary>
    public bool WaitForLines(Func<string, bool> match, int count, TimeSpan timeout, out string line, bool stderr = false)
    {
        long start = Stopwatch.GetTimestamp();
        int found = 0;
        lock (_gate)
        {
            List<string> lines = stderr ? _stderr : _stdout;
            int seen = 0;
            while (true)
            {
                for (; seen < lines.Count; seen++)
                {
                    if (match(lines[seen]) && ++found == count)
                    {
                        line = lines[seen];
                        return true;
                    }
                }
                TimeSpan left = timeout - Stopwatch.GetElapsedTime(start);
                if ((stderr ? _stderrClosed : _stdoutClosed) || left <= TimeSpan.Zero)
                {
                    line = "";
                    return false;
                }
                Monitor.Wait(_gate, left);
            }
        }
    }

    /// <summary>Waits for the process to exit and its output to be read to the end; false on timeout.</summary>
    public bool WaitForExit(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            // Unlike WaitForExit(int), the async form also waits for the redirected streams to reach their end.
            _process.WaitForExitAsync(cts.Token).GetAwaiter().GetResult();
            return true;
        }
        catch (OperationCanceledException)
        {
            return _process.HasExited;
        }
    }

    /// <summary>Sends a POSIX signal (SIGTERM for an orderly stop; Process.Kill would be SIGKILL).</summary>
    public void Signal(int signal)
    {
        if (_process.HasExited) return;
        if (Kill(_process.Id, signal) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (!_process.HasExited) throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {errno}");
        }
    }

    /// <summary>SIGTERM, then up to <paramref name="grace"/> for an exit, then SIGKILL for it and its children.</summary>
    /// <returns>True when it exited on its own within the grace period.</returns>
    public bool Terminate(TimeSpan grace, int signal = SigTerm)
    {
        if (_process.HasExited) return WaitForExit(TimeSpan.FromSeconds(5));
        Signal(signal);
        if (WaitForExit(grace)) return true;
        KillTree();
        return false;
    }

    /// <summary>SIGTERM, then SIGKILL after <paramref name="grace"/> (<see cref="Terminate"/> without the outcome).</summary>
    public void Stop(TimeSpan grace) => Terminate(grace);

    public void KillTree()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // exited in between
        }
        WaitForExit(TimeSpan.FromSeconds(5));
    }

    public void Dispose()
    {
        KillTree();
        _process.Dispose();
    }

    private void OnLine(string? data, bool isError)
    {
        lock (_gate)
        {
            if (data is null)
            {
                if (isError) _stderrClosed = true; else _stdoutClosed = true;
            }
            else
            {
                (isError ? _stderr : _stdout).Add(data);
                _transcript.Append(isError ? "! " : "  ").Append(data).Append('\n');
            }
            Monitor.PulseAll(_gate);
        }
    }

    private static string Quote(string s) =>
        s.Length > 0 && s.All(c => char.IsLetterOrDigit(c) || "-_./:=,+@%".Contains(c)) ? s : $"'{s.Replace("'", "'\\''")}'";

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
