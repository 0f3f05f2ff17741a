using System.Diagnostics;
using System.Text;

namespace ImeiEir.Notify.Tests;

/// <summary>A child process with its output collected; every wait is bounded and disposing kills what still runs.</summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private ChildProcess(Process process, string commandLine)
    {
        _process = process;
        CommandLine = commandLine;
    }

    public string CommandLine { get; }

    public int ExitCode => _process.ExitCode;

    public string Stdout { get { lock (_stdout) return _stdout.ToString(); } }

    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

    public string Transcript => $"$ {CommandLine}\n{Stdout}{(Stderr.Length > 0 ? "--- stderr ---\n" + Stderr : "")}";

    /// <summary>The dotnet host running this test (the CLI sets DOTNET_HOST_PATH), for starting the other .dll files.</summary>
    public static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>A .dll of the test output directory (eirctl, the crash host), run with dotnet.</summary>
    public static ChildProcess StartDll(string dll, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        string path = Path.Combine(TestContext.CurrentContext.TestDirectory, dll);
        if (!File.Exists(path)) Assert.Fail($"{path} is missing: the test project references it, build it");
        return Start(DotnetHost, [path, .. arguments], environment);
    }

    public static ChildProcess Start(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (string argument in arguments) info.ArgumentList.Add(argument);
        if (environment is not null)
            foreach ((string key, string value) in environment) info.Environment[key] = value;
        var process = new Process { StartInfo = info };
        var child = new ChildProcess(process, string.Join(' ', info.ArgumentList.Prepend(fileName)));
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (child._stdout) child._stdout.Append(e.Data).Append('\n'); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (child._stderr) child._stderr.Append(e.Data).Append('\n'); };
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Waits for the exit and the end of its output; fails the test after <paramref name="timeout"/>.</summary>
    public void WaitForExit(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            _process.WaitForExitAsync(cts.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            Kill();
            Assert.Fail($"did not finish within {timeout.TotalSeconds} s:\n{Transcript}");
        }
    }

    /// <summary>Runs to the end and returns (exit code, stdout, transcript).</summary>
    public static (int ExitCode, string Stdout, string Transcript) RunDll(string dll, IEnumerable<string> arguments, double timeoutSeconds = 60)
    {
        using ChildProcess child = StartDll(dll, arguments);
        child.WaitForExit(TimeSpan.FromSeconds(timeoutSeconds));
        return (child.ExitCode, child.Stdout, $"{child.Transcript}(exit {child.ExitCode})");
    }

    private void Kill()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
            // exited in between
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
