using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using static ImeiEir.Integration.Tests.TestLists;

namespace ImeiEir.Integration.Tests;

/// <summary>
/// Issue 22, item 1: 1,100 TCP connections that never send CER are held open against the real server, more than
/// Diameter:MaxConnections (1,024), and a real MME (Erlang/OTP diameter) still gets CEA 2001 and its ECA. The server
/// keeps at most Diameter:MaxPendingConnections (64) of the silent ones, closing the oldest first. The CER timeout is
/// set to a minute so that only the pending pool, not the timeout, can free a slot during the test.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed partial class PendingFloodTests
{
    private const int Silent = 1_100;
    private const int MaxPending = 64;                                   // Diameter:MaxPendingConnections' default
    private static readonly TimeSpan s_openDeadline = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan s_closeDeadline = TimeSpan.FromSeconds(30);

    [TestCase("Epoll")]
    [TestCase("Sockets")]
    public async Task A_real_peer_is_served_while_1100_connections_without_cer_are_held(string transport)
    {
        RequireOpenFiles(Silent + 200);
        using ServerProcess server = ServerProcess.Start($"--Diameter:Transport={transport}", "--Diameter:CerTimeout=00:01:00");
        var silent = new List<Socket>(Silent);
        try
        {
            await OpenAsync(server.Port, silent);

            ErlangResult run = ErlangPeer.Run(server.Port,
                new ErlangRunOptions { Cases = [new(White, "23", HomeImsi, "ok:0", "white")] }, TimeSpan.FromSeconds(60));
            string diagnostics = $"\n--- Erlang client ---\n{run.Transcript}\n--- server (tail) ---\n{Tail(server.Output)}";
            Assert.Multiple(() =>
            {
                Assert.That(run.PeerUp.GetValueOrDefault("result"), Is.EqualTo("2001"), "CEA result" + diagnostics);
                Assert.That(run.Cases.Select(c => c.Got), Is.EqualTo(new[] { "ok:0" }), "ECA" + diagnostics);
                Assert.That(run.ExitCode, Is.Zero, "client exit code" + diagnostics);
            });

            // The silent ones beyond the pending pool were closed by the server, oldest first.
            int stillOpen = Silent;
            bool bounded = await Eventually.TryUntilAsync(() => (stillOpen = silent.Count(IsOpen)) <= MaxPending, s_closeDeadline);
            Assert.That(bounded, Is.True,
                $"{stillOpen} of {Silent} silent connections still open after {s_closeDeadline.TotalSeconds:0} s; at most {MaxPending} may wait for CER");
            // A connection enters the pool when its event loop first runs it, not when the client's connect returned:
            // under load a loop can lag behind the accepts by many connections (a clean-clone CI run on a busy machine
            // found 2 of the first 972 still pooled), so the order is checked on the older half only; the exact
            // oldest-first order is PeerAdmissionTests' job.
            Assert.That(silent.Take(Silent / 2).Count(IsOpen), Is.Zero, "the oldest are the ones closed");
        }
        finally
        {
            foreach (Socket socket in silent)
                socket.Dispose();
        }
    }

    /// <summary>
    /// Opens <see cref="Silent"/> connections in order (each connected before the next starts, so "oldest" is
    /// well defined), bounded by <see cref="s_openDeadline"/>.
    /// </summary>
    private static async Task OpenAsync(int port, List<Socket> sockets)
    {
        var endpoint = new IPEndPoint(IPAddress.Loopback, port);
        using var deadline = new CancellationTokenSource(s_openDeadline);
        long started = Stopwatch.GetTimestamp();
        for (int i = 0; i < Silent; i++)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            sockets.Add(socket);
            try
            {
                await socket.ConnectAsync(endpoint, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"only {i} of {Silent} connections opened within {s_openDeadline.TotalSeconds:0} s");
            }
        }
        TestContext.Progress.WriteLine($"{Silent} silent connections opened in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s");
    }

    /// <summary>Open until the server closes it: readable with nothing to read is the FIN (or a reset).</summary>
    private static bool IsOpen(Socket socket)
    {
        try
        {
            return !(socket.Poll(0, SelectMode.SelectRead) && socket.Available == 0);
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The test and the server each hold a descriptor per connection; the runtime raises the soft limit to the hard one.</summary>
    private static void RequireOpenFiles(int needed)
    {
        Match limit = MaxOpenFiles().Match(File.ReadAllText("/proc/self/limits"));
        if (!limit.Success || limit.Groups[1].Value == "unlimited")
            return;
        long soft = long.Parse(limit.Groups[1].Value, CultureInfo.InvariantCulture);
        if (soft < needed)
            Assert.Fail($"this test holds {Silent} sockets and needs {needed} open files, but the limit is {soft}: raise it (ulimit -n {needed * 2}) and run again");
    }

    private static string Tail(string output) => output.Length <= 4000 ? output : output[^4000..];

    [GeneratedRegex(@"^Max open files\s+(\S+)", RegexOptions.Multiline)]
    private static partial Regex MaxOpenFiles();
}
