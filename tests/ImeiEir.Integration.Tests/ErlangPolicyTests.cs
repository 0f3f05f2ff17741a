using static ImeiEir.Integration.Tests.TestLists;

namespace ImeiEir.Integration.Tests;

/// <summary>The unknown-IMEI answers the operator can configure, seen by the Erlang MME.</summary>
[TestFixture]
public sealed class ErlangPolicyTests
{
    [Test]
    public void Unknown_answer_equipment_unknown_answers_experimental_result_5422()
    {
        S13Case[] cases =
        [
            new(Unknown, "23", HomeImsi, "exp:5422", "unknown, home subscriber"),
            new(UnknownOther, null, null, "exp:5422", "unknown, no IMSI"),
            new(White, null, HomeImsi, "ok:0", "white"),
            new(Black, null, HomeImsi, "ok:1", "black"),
            new(Grey, null, HomeImsi, "ok:2", "grey"),
            new(Unknown, null, ForeignImsi, "ok:0", "unknown, inbound roamer"),
        ];
        AssertCases(cases, "--Policy:UnknownAnswer=EquipmentUnknown");
    }

    [Test]
    public void Regime_not_started_unknown_is_whitelisted()
    {
        S13Case[] cases =
        [
            new(Unknown, "23", HomeImsi, "ok:0", "unknown before the regime: legacy"),
            new(Black, null, HomeImsi, "ok:1", "black"),
            new(Grey, null, HomeImsi, "ok:2", "grey"),
        ];
        AssertCases(cases, "--Policy:RegimeStart=2099-01-01T00:00:00+05:00");
    }

    [Test]
    public void Home_network_configured_its_subscribers_are_under_the_regime()
    {
        S13Case[] cases =
        [
            new(Unknown, null, ForeignImsi, "ok:2", "MCC 250 configured as a home network: regime applies"),
            new(UnknownOther, null, "310150123456789", "ok:0", "MCC 310: still a roamer"),
        ];
        AssertCases(cases, "--Policy:HomeNetworks:0=250");
    }

    private static void AssertCases(S13Case[] cases, params string[] serverArgs)
    {
        using ServerProcess server = ServerProcess.Start(serverArgs);
        ErlangResult run = ErlangPeer.Run(server.Port, new ErlangRunOptions { Cases = cases }, TimeSpan.FromSeconds(90));
        string diagnostics = $"\n--- Erlang client ---\n{run.Transcript}\n--- server ({string.Join(' ', serverArgs)}) ---\n{server.Output}";
        Assert.That(run.PeerUpLine, Is.Not.Null, "peer never came up" + diagnostics);
        Assert.That(run.Cases, Has.Count.EqualTo(cases.Length), "CASE lines" + diagnostics);
        Assert.Multiple(() =>
        {
            for (int i = 0; i < cases.Length; i++)
                Assert.That(run.Cases[i].Got, Is.EqualTo(cases[i].Expected), $"{cases[i]}: {run.Cases[i].Line}");
            Assert.That(run.ExitCode, Is.Zero, "client exit code" + diagnostics);
        });
    }
}
