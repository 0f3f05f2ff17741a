using static ImeiEir.Integration.Tests.TestLists;

namespace ImeiEir.Integration.Tests;

/// <summary>
/// A small real exchange (CER, a few ECRs, watchdogs, DPR) captured live on loopback and decoded by Wireshark's
/// Diameter dissector: nothing malformed, no expert warning, and the decoded messages are the ones expected.
/// </summary>
[TestFixture]
public sealed class TsharkCaptureTests
{
    private static readonly S13Case[] s_cases =
    [
        new(White, "23", HomeImsi, "ok:0", "white"),
        new(Black, null, HomeImsi, "ok:1", "black"),
        new(Grey, "01", null, "ok:2", "grey"),
        new(Unknown, null, HomeImsi, "ok:2", "unknown"),
        new("12AB", null, HomeImsi, "rc:5004", "malformed"),
    ];

    /// <summary>The ECRs on the wire: every case, then the first case again after the hold (same connection).</summary>
    private static readonly S13Case[] s_ecrs = [.. s_cases, s_cases[0]];

    private ServerProcess? _server;
    private string? _directory;
    private ErlangResult? _run;
    private IReadOnlyList<DecodedMessage> _messages = [];
    private IReadOnlyList<string> _problems = [];

    [OneTimeSetUp]
    public void CaptureAnExchange()
    {
        TestEnvironment.RequireTools("tshark");
        TestEnvironment.RequireTools(ErlangPeer.Tools);
        _directory = TestEnvironment.NewTempDirectory("pcap");
        _server = ServerProcess.Start("--Diameter:WatchdogInterval=00:00:01");
        string file = Path.Combine(_directory, "s13.pcapng");
        using (TsharkCapture capture = TsharkCapture.Start(_server.Port, file))
        {
            _run = ErlangPeer.Run(_server.Port, new ErlangRunOptions { Cases = s_cases, HoldMs = 2500, WatchdogMs = 6000 },
                TimeSpan.FromSeconds(60));
            capture.WaitForEveryConnectionClosed(TimeSpan.FromSeconds(30));   // the last segments (DPA, FIN) are in the file
            capture.Stop();
        }
        _problems = TsharkCapture.Problems(file, _server.Port);
        _messages = TsharkCapture.Decode(file, _server.Port);
        TestContext.Progress.WriteLine(string.Join('\n', _messages));
    }

    [OneTimeTearDown]
    public void CleanUp()
    {
        _server?.Dispose();
        TestEnvironment.DeleteQuietly(_directory);
    }

    private string Diagnostics =>
        $"\n--- decoded ---\n{string.Join('\n', _messages)}\n--- Erlang client ---\n{_run?.Transcript}\n--- server ---\n{_server?.Output}";

    [Test]
    public void Capture_has_no_malformed_packet_or_expert_warning() =>
        Assert.That(_problems, Is.Empty, "tshark flagged (frame, protocols, severity, message):" + Diagnostics);

    [Test]
    public void Capture_holds_the_whole_exchange()
    {
        var counts = _messages.GroupBy(m => m.Name).ToDictionary(g => g.Key, g => g.Count());
        int Count(string name) => counts.GetValueOrDefault(name);
        Assert.Multiple(() =>
        {
            Assert.That(Count("CER"), Is.EqualTo(1), "CER" + Diagnostics);
            Assert.That(Count("CEA"), Is.EqualTo(1), "CEA" + Diagnostics);
            Assert.That(Count("ECR"), Is.EqualTo(s_ecrs.Length), "ECR" + Diagnostics);
            Assert.That(Count("ECA"), Is.EqualTo(s_ecrs.Length), "ECA" + Diagnostics);
            Assert.That(Count("DWR"), Is.GreaterThanOrEqualTo(1), "DWR (server Tw = 1 s, 2.5 s hold)" + Diagnostics);
            Assert.That(Count("DWA"), Is.EqualTo(Count("DWR")), "a DWA for every DWR" + Diagnostics);
            Assert.That(Count("DPR"), Is.EqualTo(1), "DPR" + Diagnostics);
            Assert.That(Count("DPA"), Is.EqualTo(1), "DPA" + Diagnostics);
            Assert.That(counts.Keys, Is.SubsetOf(new[] { "CER", "CEA", "ECR", "ECA", "DWR", "DWA", "DPR", "DPA" }), Diagnostics);
            Assert.That(_messages.Where(m => m.IsError), Is.Empty, "no message with the E bit" + Diagnostics);
        });
    }

    [Test]
    public void ME_identity_check_is_decoded_as_S13()
    {
        var s13 = _messages.Where(m => m.CommandCode == 324).ToList();
        Assert.That(s13, Is.Not.Empty, Diagnostics);
        Assert.Multiple(() =>
        {
            foreach (DecodedMessage m in s13)
            {
                Assert.That(m.CommandShowName, Does.Contain("3GPP-ME-Identity-Check"), m + Diagnostics);
                Assert.That(m.ApplicationId, Is.EqualTo(16777252), m + Diagnostics);
            }
        });
    }

    [Test]
    public void Every_ECA_carries_the_expected_answer()
    {
        var requests = _messages.Where(m => m.Name == "ECR").ToList();
        var answers = _messages.Where(m => m.Name == "ECA").ToList();
        Assert.That(requests.Select(r => r.Imei), Is.EqualTo(s_ecrs.Select(c => c.Imei)), "ECRs in case order" + Diagnostics);
        Assert.Multiple(() =>
        {
            foreach ((DecodedMessage request, S13Case expected) in requests.Zip(s_ecrs))
            {
                DecodedMessage? answer = answers.SingleOrDefault(a => a.HopByHop == request.HopByHop);
                Assert.That(answer, Is.Not.Null, $"no ECA with the hop-by-hop id of {request}" + Diagnostics);
                if (answer is null) continue;
                string[] parts = expected.Expected.Split(':');
                int value = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
                switch (parts[0])
                {
                    case "ok":
                        Assert.That((answer.ResultCode, answer.EquipmentStatus), Is.EqualTo(((int?)2001, (int?)value)),
                            $"{expected}: {answer}");
                        break;
                    case "rc":
                        Assert.That((answer.ResultCode, answer.EquipmentStatus), Is.EqualTo(((int?)value, (int?)null)),
                            $"{expected}: {answer}");
                        break;
                    default:
                        Assert.That(answer.ExperimentalResultCode, Is.EqualTo(value), $"{expected}: {answer}");
                        break;
                }
            }
        });
    }

    [Test]
    public void Erlang_client_agrees_with_the_capture()
    {
        Assert.That(_run?.Cases.Select(c => c.Got), Is.EqualTo(s_ecrs.Select(c => c.Expected)), Diagnostics);
        Assert.That(_run?.ExitCode, Is.Zero, Diagnostics);
    }
}
