namespace ImeiEir.Integration.Tests;

/// <summary>Where things are: the test output directory (server, eirctl, peers), the dotnet host, the peer tools.</summary>
internal static class TestEnvironment
{
    /// <summary>The test output directory: imeieir.dll, eirctl.dll and peers/ are copied here by the build.</summary>
    public static string OutputDirectory => TestContext.CurrentContext.TestDirectory;

    public static string PeersDirectory => Path.Combine(OutputDirectory, "peers");

    /// <summary>The dotnet host that runs this test (the CLI sets DOTNET_HOST_PATH for its children).</summary>
    public static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>
    /// Fails the test (never skips it) when a peer tool is missing: the point of these tests is running the real
    /// peer, and a missing one must not turn into a green run.
    /// </summary>
    public static void RequireTools(params string[] tools)
    {
        var missing = tools.Where(t => FindOnPath(t) is null).ToList();
        if (missing.Count == 0) return;
        Assert.Fail($"{string.Join(", ", missing)} not found on PATH. tests/run.sh installs the peer tools on Debian "
                    + "(apt-get install -y erlang-base erlang-diameter erlang-dev tshark); run it, or install them by hand.");
    }

    public static string? FindOnPath(string tool)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, tool);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>A fresh directory under the system temp directory; the caller deletes it.</summary>
    public static string NewTempDirectory(string purpose)
    {
        string path = Path.Combine(Path.GetTempPath(), $"imeieir-it-{purpose}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    public static void DeleteQuietly(string? directory)
    {
        if (directory is null) return;
        try
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // a child still holding a file: the OS temp cleaner gets it
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>A port on 127.0.0.1 that nothing listens on (bound, read, released).</summary>
    public static int UnusedLoopbackPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
