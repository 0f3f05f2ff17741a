namespace ImeiEir.Server.Tests.Http2;

/// <summary>
/// The HTTP/2 clients an AMF's place is taken by: curl, and nghttp and h2load from Debian's nghttp2-client (which
/// tests/run.sh installs). Each run is bounded; a missing tool is a failure, not a skip.
/// </summary>
internal static class HttpClients
{
    public static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(90);

    /// <summary>Runs <paramref name="tool"/> to its end; returns its exit code and standard output.</summary>
    public static (int ExitCode, string Stdout, string Transcript) Run(string tool, params string[] arguments)
    {
        string? path = Environment.GetEnvironmentVariable("PATH")?.Split(':')
            .Select(directory => Path.Combine(directory, tool)).FirstOrDefault(File.Exists);
        if (path is null)
            Assert.Fail($"{tool} is not on PATH: install curl and nghttp2-client (tests/run.sh installs them with apt-get)");
        using ChildProcess process = ChildProcess.Start(path!, arguments);
        if (!process.WaitForExit(RunTimeout))
        {
            process.KillTree();
            Assert.Fail($"{tool} did not finish within {RunTimeout.TotalSeconds:0} s\n{process.CommandLine}\n{process.Transcript}");
        }
        return (process.ExitCode, process.Stdout, process.Transcript);
    }
}
