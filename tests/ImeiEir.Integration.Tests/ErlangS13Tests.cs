using static ImeiEir.Integration.Tests.TestLists;

namespace ImeiEir.Integration.Tests;

/// <summary>
/// The real server against Erlang/OTP's diameter as the MME: CER/CEA, one ECR per case (each answer validated by
/// OTP against tests/peers/s13.dia), DPR/DPA. One client run serves every test of the fixture; each test reads its
/// part of the transcript.
/// </summary>
[TestFixture]
public sealed class ErlangS13Tests
{
    /// <summary>Default policy: regime started (2025-05-25), unknown home IMEIs answered GREYLISTED.</summary>
    public static readonly S13Case[] Cases =
    [
        new(White, "23", HomeImsi, "ok:0", "white, 14 digits"),
        new(WithCheckDigit(White), null, null, "ok:0", "white, 15 digits with its check digit"),
        new(White + "05", null, HomeImsi, "ok:0", "white, 16-digit IMEISV"),
        new(WhiteImported, "01", HomeImsi, "ok:0", "white, imported"),
        new(Black, "23", HomeImsi, "ok:1", "black, stolen"),
        new(BlackSnr3, null, HomeImsi, "ok:1", "black, stolen, another serial"),
        new(BlackCounterfeit, null, ForeignImsi, "ok:1", "black applies to roamers too"),
        new(Grey, "01", HomeImsi, "ok:2", "grey with a deadline in 2099"),
        new(GreyExpired, null, HomeImsi, "ok:1", "grey past its deadline"),
        new(Unknown, "23", HomeImsi, "ok:2", "unknown, home subscriber"),
        new(UnknownOther, null, null, "ok:2", "unknown, no IMSI"),
        new(Unknown, null, ForeignImsi, "ok:0", "unknown, inbound roamer"),
        new(WithWrongCheckDigit(UnknownOther), null, HomeImsi, "ok:1", "15 digits, wrong check digit"),
        new(InvalidTac, null, HomeImsi, "ok:1", "TAC 00000000"),
        new("12AB", null, HomeImsi, "rc:5004", "malformed IMEI"),
        new("3520990017614", null, null, "rc:5004", "13 digits"),
    ];

    private ServerProcess? _server;
    private ErlangResult? _run;

    [OneTimeSetUp]
    public void RunTheClient()
    {
        _server = ServerProcess.Start();
        _run = ErlangPeer.Run(_server.Port, new ErlangRunOptions { Cases = Cases }, TimeSpan.FromSeconds(90));
        TestContext.Progress.WriteLine(_run.Transcript);
    }

    [OneTimeTearDown]
    public void StopTheServer() => _server?.Dispose();

    private ErlangResult Run => _run ?? throw new InvalidOperationException("the client did not run");

    private string Diagnostics => $"\n--- Erlang client ---\n{Run.Transcript}\n--- server ---\n{_server?.Output}";

    [Test]
    public void Capabilities_exchange_brings_the_peer_up()
    {
        Assert.That(Run.PeerUpLine, Is.Not.Null, "no PEER_UP: the CER/CEA exchange did not complete" + Diagnostics);
        Assert.Multiple(() =>
        {
            Assert.That(Run.PeerUp.GetValueOrDefault("remote"), Is.EqualTo("eir.localdomain"), "CEA Origin-Host" + Diagnostics);
            Assert.That(Run.PeerUp.GetValueOrDefault("result"), Is.EqualTo("2001"), "CEA Result-Code" + Diagnostics);
        });
    }

    public static IEnumerable<TestCaseData> CaseData() =>
        Cases.Select((c, i) => new TestCaseData(i, c).SetArgDisplayNames(c.Why));

    [TestCaseSource(nameof(CaseData))]
    public void ME_identity_check_answers_as_the_lists_and_policy_say(int index, S13Case expected)
    {
        var initial = Run.Cases.Where(c => c.Phase == "initial").ToList();
        Assert.That(initial, Has.Count.EqualTo(Cases.Length), "CASE lines printed" + Diagnostics);
        CaseLine line = initial[index];
        Assert.That(line.Imei, Is.EqualTo(expected.Imei), "case order");
        Assert.That(line.Got, Is.EqualTo(expected.Expected),
            $"{expected}: the server answered {line.Got}; OTP's view: {line.Line}{Diagnostics}");
    }

    [Test]
    public void Client_disconnect_DPR_is_answered_with_DPA()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Run.Count(Run.Dpr, "sent"), Is.EqualTo(1), "DPR sent by the client" + Diagnostics);
            Assert.That(Run.Count(Run.Dpr, "dpa_recv"), Is.EqualTo(1), "DPA received from the server" + Diagnostics);
            Assert.That(Run.Count(Run.Dpr, "dpa_result_2001"), Is.EqualTo(1), "DPA Result-Code 2001" + Diagnostics);
            Assert.That(Run.PeerDown, Is.True, "peer down after DPR/DPA" + Diagnostics);
        });
    }

    [Test]
    public void Client_reports_no_failure_and_exits_zero()
    {
        Assert.That(Run.Result, Does.StartWith("S13_RESULT PASS"), Diagnostics);
        Assert.That(Run.ExitCode, Is.Zero, Diagnostics);
    }
}
