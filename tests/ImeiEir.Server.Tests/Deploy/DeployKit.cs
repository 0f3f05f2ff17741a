using System.Diagnostics;

namespace ImeiEir.Server.Tests.Deploy;

/// <summary>Where the operations kit (deploy/) and the Dockerfile are, and running its checking tools.</summary>
internal static class DeployKit
{
    public static string Root { get; } = FindRoot();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    public static string Read(params string[] parts) => File.ReadAllText(Path(parts));

    /// <summary>Runs a tool to its end (at most <paramref name="timeoutSeconds"/>): its exit code and both outputs.</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(string fileName, string workingDirectory, params string[] arguments)
    {
        const int timeoutSeconds = 60;
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in arguments) start.ArgumentList.Add(a);
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(timeoutSeconds)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not end within {timeoutSeconds} s");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>The tool's full path, or a failure naming the package that brings it (tests/run.sh installs it).</summary>
    public static string Tool(string name, string package)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/bin").Append("/usr/sbin"))
        {
            string candidate = System.IO.Path.Combine(dir, name);
            if (dir.Length > 0 && File.Exists(candidate))
                return candidate;
        }
        Assert.Fail($"{name} is not installed (Debian package {package}; tests/run.sh installs it)");
        return null!;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "ImeiEir.sln")) && Directory.Exists(System.IO.Path.Combine(dir.FullName, "deploy")))
                return dir.FullName;
        }
        throw new InvalidOperationException("no ImeiEir.sln with a deploy/ folder above the test directory");
    }
}
