using System.Net;
using System.Text.Json;
using ImeiEir.Core;

namespace ImeiEir.Integration.Tests;

/// <summary>
/// Pairing (docs/ARCHITECTURE.md, rule 2a) end to end, as real processes on 127.0.0.1: a registry, one node following
/// it before the pair is pushed (the pair reaches it by the feed) and one started after (by the snapshot). The
/// Erlang/OTP MME attaches the paired IMEI with its IMSI, two other home IMSIs, a roamer and no IMSI; N5g-eir is
/// asked the same; both nodes' digests equal the registry's, pairs included.
/// </summary>
/// <remarks>Runs twice: on one Local registry, and on two JetStream registry processes (see <see cref="ClusterFixture"/>).</remarks>
[TestFixture(RegistryLog.Local)]
[TestFixture(RegistryLog.JetStream)]
[NonParallelizable]
public sealed class PairingClusterTests(RegistryLog log) : ClusterFixture(log)
{
    private const string Paired = "35000011111111";   // grey until 2099: the list answer is GREYLISTED, distinct from the rest
    private const string ImsiA = "401011111111111";   // the rightful subscriber
    private const string ImsiB = "401012222222222";   // two other home subscribers: clones
    private const string ImsiC = "401013333333333";

    protected override string Name => "pairing";

    [Test]
    [CancelAfter(240_000)]
    public void A_paired_IMEI_is_answered_by_its_list_for_its_IMSI_and_blacklisted_as_cloned_for_other_home_IMSIs_on_two_nodes()
    {
        ClusterProcess registry = StartRegistry("registry", Path.Combine(Root, "registry"));
        ClusterProcess early = StartNode("early", Path.Combine(Root, "early"), registry, true, "--Sync:MaxBackoff=00:00:01");

        PushResult push = Client.Push(registry.RegistryUrl, $"op,imei,list,reason,deadline,imsi\nset,{Paired},grey,unverified,2099-01-01,\npair,{Paired},,,,{ImsiA}\n");
        Assert.That((push.Status, push.Applied), Is.EqualTo((HttpStatusCode.OK, 2L)), push.Body);

        ClusterProcess late = StartNode("late", Path.Combine(Root, "late"), registry, true, "--Sync:MaxBackoff=00:00:01");

        S13Case[] cases =
        [
            new(Paired, null, ImsiA, "ok:2", "the paired IMSI: its list (grey)"),
            new(Paired, null, ImsiB, "ok:1", "another home IMSI: cloned"),
            new(Paired, null, ImsiC, "ok:1", "a third home IMSI: cloned"),
            new(Paired, null, TestLists.ForeignImsi, "ok:0", "an inbound roamer: rule 4"),
            new(Paired, null, null, "ok:2", "no IMSI: its list"),
        ];
        foreach (ClusterProcess node in new[] { early, late })
        {
            Client.AssertSameState(registry, node, TimeSpan.FromSeconds(60));
            ErlangResult run = ErlangPeer.Run(node.DiameterPort, new ErlangRunOptions { Cases = cases }, TimeSpan.FromSeconds(90));
            string diagnostics = $"\n--- Erlang client ---\n{run.Transcript}\n--- {node.Name} ---\n{node.Output}";
            Assert.That(run.Cases, Has.Count.EqualTo(cases.Length), "CASE lines" + diagnostics);
            Assert.Multiple(() =>
            {
                for (int i = 0; i < cases.Length; i++)
                    Assert.That(run.Cases[i].Got, Is.EqualTo(cases[i].Expected), $"{node.Name}, {cases[i]}: {run.Cases[i].Line}");
                Assert.That(run.ExitCode, Is.Zero, "client exit code" + diagnostics);

                Assert.That(N5gEir(node, ImsiA), Is.EqualTo("GREYLISTED"), $"{node.Name}: N5g-eir, the paired SUPI");
                Assert.That(N5gEir(node, ImsiB), Is.EqualTo("BLACKLISTED"), $"{node.Name}: N5g-eir, another home SUPI");
                Assert.That(N5gEir(node, TestLists.ForeignImsi), Is.EqualTo("WHITELISTED"), $"{node.Name}: N5g-eir, a roamer");
                Assert.That(N5gEir(node, null), Is.EqualTo("GREYLISTED"), $"{node.Name}: N5g-eir without a SUPI");
            });
        }

        // The admin's view: eirctl status lists the paired IMSI, eirctl history the pair change with its actor.
        (int exit, string stdout, string transcript) = EirctlTests.RunEirctl(
            ["history", Paired, "--registry", registry.RegistryUrl.ToString(), "--token", ClusterClient.AdminToken]);
        Assert.That(exit, Is.Zero, transcript);
        Assert.That(stdout, Does.Contain($"paired with IMSI {ImsiA}").And.Contain($"pair IMSI {ImsiA} by admin"), transcript);

        // Unpaired: the other subscribers get the list again, on both nodes, and the digests still agree.
        PushResult unpair = Client.Push(registry.RegistryUrl, $"op,imei,imsi\nunpair,{Paired},{ImsiA}\n");
        Assert.That((unpair.Status, unpair.Applied), Is.EqualTo((HttpStatusCode.OK, 1L)), unpair.Body);
        foreach (ClusterProcess node in new[] { early, late })
        {
            Client.AssertSameState(registry, node, TimeSpan.FromSeconds(60));
            Assert.That(ClusterClient.Check(node, Paired, ImsiB), Is.EqualTo(EquipmentStatus.Greylisted), $"{node.Name}: unpaired");
        }
    }

    private string N5gEir(ClusterProcess node, string? imsi)
    {
        string query = $"pei=imei-{TestLists.WithCheckDigit(Paired)}" + (imsi is null ? "" : $"&supi=imsi-{imsi}");
        using HttpResponseMessage response = Client.Http.GetAsync(new Uri(node.HttpUrl, $"/n5g-eir-eic/v1/equipment-status?{query}")).GetAwaiter().GetResult();
        string body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        Assert.That((int)response.StatusCode, Is.EqualTo(200), body);
        return JsonDocument.Parse(body).RootElement.GetProperty("status").GetString()!;
    }
}
