using System.Text.RegularExpressions;
using static ImeiEir.Integration.Tests.TestLists;

namespace ImeiEir.Integration.Tests;

/// <summary>
/// The connection's life with the Erlang MME: RFC 3539 watchdogs in both directions (server Tw = 1 s), and the
/// server's orderly shutdown (SIGTERM: DPR to the peer, exit 0).
/// </summary>
[TestFixture]
public sealed class ErlangConnectionTests
{
    private static readonly S13Case[] s_white = [new(White, "23", HomeImsi, "ok:0", "white")];

    private ServerProcess? _server;

    [OneTimeSetUp]
    public void StartServer() =>
        // Debug for the "ImeiEir" categories: the server logs each DWR/DWA it sends or receives at that level.
        _server = ServerProcess.Start("--Diameter:WatchdogInterval=00:00:01", "--Logging:LogLevel:ImeiEir=Debug");

    [OneTimeTearDown]
    public void StopServer() => _server?.Dispose();

    private ServerProcess Server => _server ?? throw new InvalidOperationException("no server");

    [Test]
    public void Server_watchdog_peer_answers_DWA_connection_survives()
    {
        int logBefore = Server.Output.Length;
        // The client's own Tw stays at 6 s: during the 3.5 s hold only the server's 1 s timer can fire.
        ErlangResult run = ErlangPeer.Run(Server.Port,
            new ErlangRunOptions { Cases = s_white, HoldMs = 3500, WatchdogMs = 6000 }, TimeSpan.FromSeconds(60));
        string diagnostics = $"\n--- Erlang client ---\n{run.Transcript}\n--- server ---\n{Server.Output}";
        string serverLog = Server.Output[logBefore..];

        Assert.Multiple(() =>
        {
            Assert.That(run.Count(run.Watchdog, "dwr_recv"), Is.GreaterThanOrEqualTo(2),
                "DWRs from the server during 3.5 s of silence with Tw = 1 s" + diagnostics);
            Assert.That(run.Count(run.Watchdog, "dwa_sent"), Is.EqualTo(run.Count(run.Watchdog, "dwr_recv")),
                "every server DWR answered by the client" + diagnostics);
            AssertSurvived(run, diagnostics);
            Assert.That(serverLog, Does.Match(@"(?s)DWR sent.*DWA received|DWA received.*DWR sent"),
                "the server's log shows its DWRs and the peer's DWAs" + diagnostics);
        });
    }

    [Test]
    public void Peer_watchdog_server_answers_DWA_connection_survives()
    {
        int logBefore = Server.Output.Length;
        // Client Tw 0.5 s: it sends DWRs faster than the server's 1 s timer, so the server answers them.
        ErlangResult run = ErlangPeer.Run(Server.Port,
            new ErlangRunOptions { Cases = s_white, HoldMs = 3000, WatchdogMs = 500 }, TimeSpan.FromSeconds(60));
        string diagnostics = $"\n--- Erlang client ---\n{run.Transcript}\n--- server ---\n{Server.Output}";
        string serverLog = Server.Output[logBefore..];
        int sent = run.Count(run.Watchdog, "dwr_sent");

        Assert.Multiple(() =>
        {
            Assert.That(sent, Is.GreaterThanOrEqualTo(3), "client DWRs in 3 s with Tw = 0.5 s" + diagnostics);
            // The last DWR may still be in flight when the client reads its counters.
            Assert.That(run.Count(run.Watchdog, "dwa_recv"), Is.InRange(Math.Max(1, sent - 1), sent),
                "DWAs from the server" + diagnostics);
            AssertSurvived(run, diagnostics);
            Assert.That(Regex.Count(serverLog, "DWR received"), Is.GreaterThanOrEqualTo(Math.Max(1, sent - 1)),
                "the server's log shows the client's DWRs" + diagnostics);
        });
    }

    [Test]
    public void Server_shutdown_sends_DPR_to_the_peer_and_exits_zero()
    {
        // A server of its own: this one is stopped.
        using ServerProcess server = ServerProcess.Start("--Logging:LogLevel:ImeiEir=Debug");
        using ErlangClient client = ErlangPeer.Start(server.Port,
            new ErlangRunOptions { Cases = s_white, AwaitServerDprMs = 20_000 });
        bool armed = client.Process.WaitForLine(l => l.StartsWith("AWAITING_SERVER_DPR", StringComparison.Ordinal),
            TimeSpan.FromSeconds(60), out _);
        Assert.That(armed, Is.True, $"the client never got to wait for DPR\n{client.Process.Transcript}\n--- server ---\n{server.Output}");

        int? exitCode = server.Stop();   // SIGTERM
        ErlangResult run = client.WaitForResult(TimeSpan.FromSeconds(60));
        string diagnostics = $"\n--- Erlang client ---\n{run.Transcript}\n--- server ---\n{server.Output}";

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(0), "server exit code after SIGTERM (null: it had to be killed)" + diagnostics);
            Assert.That(run.Cases.Single().Got, Is.EqualTo("ok:0"), diagnostics);
            Assert.That(run.Count(run.ServerDpr, "recv"), Is.EqualTo(1), "DPR received from the server" + diagnostics);
            Assert.That(run.Count(run.ServerDpr, "dpa_sent"), Is.EqualTo(1), "DPA sent to the server" + diagnostics);
            Assert.That(run.ServerDpr?.GetValueOrDefault("down"), Is.EqualTo("true"), "peer down" + diagnostics);
            Assert.That(run.ExitCode, Is.Zero, diagnostics);
        });
    }

    private static void AssertSurvived(ErlangResult run, string diagnostics)
    {
        Assert.That(run.Cases.Select(c => $"{c.Phase}:{c.Got}"), Is.EqualTo(new[] { "initial:ok:0", "after_hold:ok:0" }),
            "the same connection answers after the hold" + diagnostics);
        Assert.That(run.Events, Has.None.Match("^(down|watchdog okay->)"), "the connection never left OKAY" + diagnostics);
        Assert.That(run.Count(run.Dpr, "dpa_recv"), Is.EqualTo(1), "DPR/DPA at the end" + diagnostics);
        Assert.That(run.ExitCode, Is.Zero, "client exit code" + diagnostics);
    }
}

/// <summary>At least 10,000 ECRs over 8 workers of the Erlang MME, every answer right.</summary>
[TestFixture]
public sealed class ErlangLoadTests
{
    public const int Requests = 10_000;

    [Test]
    public void Ten_thousand_ECRs_over_eight_workers_no_errors()
    {
        using ServerProcess server = ServerProcess.Start();
        var imeis = Enumerable.Range(0, BulkCount).Select(i => (BulkImei(i), (string?)$"ok:{BulkStatus(i)}")).ToList();
        ErlangResult run = ErlangPeer.Run(server.Port, new ErlangRunOptions
        {
            LoadImeis = imeis,
            LoadRequests = Requests,
            LoadWorkers = 8,
            LoadImsi = HomeImsi,
            LoadTimeoutMs = 180_000,
        }, TimeSpan.FromSeconds(240));
        string load = run.Transcript.Split('\n').FirstOrDefault(l => l.Contains("S13_LOAD", StringComparison.Ordinal)) ?? "no S13_LOAD line";
        TestContext.Out.WriteLine(load);
        string diagnostics = $"\n--- Erlang client ---\n{run.Transcript}\n--- server ---\n{server.Output}";

        Assert.That(run.Load, Is.Not.Null, "no S13_LOAD line" + diagnostics);
        Assert.Multiple(() =>
        {
            Assert.That(run.Count(run.Load, "sent"), Is.EqualTo(Requests), load + diagnostics);
            Assert.That(run.Count(run.Load, "ok"), Is.EqualTo(Requests), load + diagnostics);
            Assert.That(run.Count(run.Load, "errors"), Is.Zero, load + diagnostics);
            Assert.That(run.ExitCode, Is.Zero, diagnostics);
        });
    }
}
