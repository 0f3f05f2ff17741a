using System.Net;
using System.Net.Sockets;

namespace ImeiEir.Integration.Tests;

/// <summary>
/// A port another process holds stops start-up with one line naming the address, the cause and the key, and exit
/// code 2, before the data directory is opened.
/// </summary>
[TestFixture]
public sealed class BusyPortTests
{
    [TestCase("Http:Port")]
    [TestCase("Diameter:Port")]
    [TestCase("Registry:Port")]
    [TestCase("Sbi:Port")]
    public void A_busy_port_is_refused_with_one_line_and_exit_code_2_before_anything_is_opened(string key)
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        int port = ((IPEndPoint)holder.LocalEndpoint).Port;

        (string fileName, string[] arguments, Dictionary<string, string> environment, string root) =
            ServerProcess.CommandInNewDirectory($"--{key}={port}");
        try
        {
            using ChildProcess server = ChildProcess.Start(fileName, arguments, environment, root);
            Assert.That(server.WaitForExit(TimeSpan.FromSeconds(60)), Is.True, server.Transcript);

            string dataDir = Path.Combine(root, "data");
            string[] created = Directory.Exists(dataDir) ? Directory.GetFileSystemEntries(dataDir, "*", SearchOption.AllDirectories) : [];
            Assert.Multiple(() =>
            {
                Assert.That(server.ExitCode, Is.EqualTo(2), "exit code\n" + server.Transcript);
                Assert.That(server.StderrLines, Has.Count.EqualTo(1), server.Transcript);
                Assert.That(server.Stderr.TrimEnd(), Is.EqualTo($"imeieir: cannot listen on 127.0.0.1:{port}: address already in use ({key})"), server.Transcript);
                Assert.That(server.Transcript, Does.Not.Contain("Unhandled exception"));
                Assert.That(created, Is.Empty, "nothing opened in DataDir\n" + server.Transcript);
            });
        }
        finally
        {
            TestEnvironment.DeleteQuietly(root);
        }
    }
}
