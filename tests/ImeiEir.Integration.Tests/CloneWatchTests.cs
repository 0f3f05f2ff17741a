using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using ImeiEir.Testing;

namespace ImeiEir.Integration.Tests;

/// <summary>
/// Suspected clones from real attaches: the Erlang/OTP S13 peer attaches one white IMEI with three home IMSIs (and a
/// roamer) to an EIR node; the node reports the pairs, and the registry lists the IMEI in <c>GET /v1/clones</c>,
/// <c>eirctl clones</c> and its gauge. All processes on 127.0.0.1.
/// </summary>
/// <remarks>Runs on a Local registry only (see <see cref="ClusterFixture"/>): the clone watch's observed pairs are kept by each registry process, not in the change log, so two processes would each see part of the sightings.</remarks>
[TestFixture]
[NonParallelizable]
public sealed partial class CloneWatchTests : ClusterFixture
{
    private const string Imsi1 = "401011000000011", Imsi2 = "401012000000022", Imsi3 = "401013000000033";
    private const string Roamer = "250991234567890";
    private static readonly TimeSpan VisibleWithin = TimeSpan.FromSeconds(30);

    protected override string Name => "clones";

    [Test]
    [CancelAfter(240_000)]
    public void One_white_IMEI_attached_over_S13_with_three_home_IMSIs_is_listed_as_a_suspected_clone()
    {
        ClusterProcess registry = Track(ClusterProcess.StartRegistry("registry", Path.Combine(Root, "registry"), ClusterClient.AdminToken, ClusterClient.ReaderToken));
        ClusterProcess node = Track(ClusterProcess.StartEir("node", Path.Combine(Root, "node"), registry.RegistryUrl, ClusterClient.ReaderToken, true,
            "--Sync:MaxBackoff=00:00:01"));
        string white = Deltas.ImeiOf(31, 1), other = Deltas.ImeiOf(31, 2);
        PushResult pushed = Client.Push(registry.RegistryUrl, Deltas.Header + $"set,{white},white,verified,,\nset,{other},white,verified,,\n");
        Assert.That(pushed.Status, Is.EqualTo(HttpStatusCode.OK), pushed.Body);
        Client.WaitApplied(node, pushed.LastSequence, VisibleWithin);

        S13Case[] cases =
        [
            new(white, null, Imsi1, "ok:0", "white, first home SIM"),
            new(white, null, Imsi2, "ok:0", "white, second home SIM"),
            new(white, null, Roamer, "ok:0", "white, an inbound roamer: not counted"),
            new(other, null, Imsi1, "ok:0", "another white IMEI, two home SIMs"),
            new(other, null, Imsi2, "ok:0", "another white IMEI, two home SIMs"),
            new(white, null, Imsi1, "ok:0", "white, first home SIM again"),
        ];
        Attach(node, cases);
        // Both IMEIs' pairs reach the registry (one IMSI short of the threshold): not a clone yet.
        Eventually.Until(() => Metric(registry, "imeieir_registry_clone_pairs") >= 4, VisibleWithin, "four pairs at the registry", () => node.Output);
        Assert.That(Clones(registry).GetProperty("clones").GetArrayLength(), Is.Zero, "two home IMSIs are not a clone");

        Attach(node, [new(white, null, Imsi3, "ok:0", "white, third home SIM")]);
        JsonElement listed = default;
        Eventually.Until(() => (listed = Clones(registry)).GetProperty("clones").GetArrayLength() > 0, VisibleWithin, "the IMEI listed in /v1/clones",
            () => node.Output + registry.Output);
        JsonElement clone = listed.GetProperty("clones").EnumerateArray().Single();
        Assert.Multiple(() =>
        {
            Assert.That(clone.GetProperty("imei").GetString(), Is.EqualTo(white));
            Assert.That(clone.GetProperty("count").GetInt32(), Is.EqualTo(3));
            Assert.That(clone.GetProperty("imsis").EnumerateArray().Select(p => p.GetProperty("imsi").GetString()), Is.EquivalentTo(new[] { Imsi1, Imsi2, Imsi3 }),
                "the roamer is not reported");
            Assert.That(Metric(registry, "imeieir_registry_suspected_clones"), Is.EqualTo(1));
        });

        (int exit, string stdout, string transcript) = EirctlTests.RunEirctl(
            ["clones", "--registry", registry.RegistryUrl.ToString(), "--token", ClusterClient.ReaderToken]);
        Assert.That(exit, Is.Zero, transcript);
        string imei15 = clone.GetProperty("imei").GetString()!;
        Assert.That(stdout, Does.Contain("IMEI             IMSIS  IMSI             FIRST SEEN            LAST SEEN"), transcript);
        Assert.That(stdout, Does.Match($@"{imei15}\s+3  ({Imsi1}|{Imsi2}|{Imsi3})  \d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\dZ  \d{{4}}-"), transcript);
        Assert.That(stdout, Does.Contain("1 suspected clone(s) listed of 1 (threshold 3 IMSIs within 30.00:00:00)"), transcript);

        // The registry restarts: the watch is durable.
        registry.Stop();
        ClusterProcess again = Track(ClusterProcess.StartRegistry("registry-again", Path.Combine(Root, "registry"), ClusterClient.AdminToken, ClusterClient.ReaderToken));
        Assert.That(Clones(again).GetProperty("clones").EnumerateArray().Single().GetProperty("imei").GetString(), Is.EqualTo(imei15), "after a restart");
    }

    private static void Attach(ClusterProcess node, S13Case[] cases)
    {
        ErlangResult run = ErlangPeer.Run(node.DiameterPort, new ErlangRunOptions { Cases = cases }, TimeSpan.FromSeconds(90));
        string diagnostics = $"\n--- Erlang client ---\n{run.Transcript}\n--- node ---\n{node.Output}";
        Assert.That(run.PeerUpLine, Is.Not.Null, "peer never came up" + diagnostics);
        Assert.That(run.Cases, Has.Count.EqualTo(cases.Length), "CASE lines" + diagnostics);
        for (int i = 0; i < cases.Length; i++)
            Assert.That(run.Cases[i].Got, Is.EqualTo(cases[i].Expected), $"{cases[i]}: {run.Cases[i].Line}");
        Assert.That(run.ExitCode, Is.Zero, "client exit code" + diagnostics);
    }

    private JsonElement Clones(ClusterProcess registry)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(registry.RegistryUrl, "/v1/clones"));
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ClusterClient.ReaderToken);
        using HttpResponseMessage response = Client.Http.Send(request);
        string body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private double Metric(ClusterProcess registry, string name)
    {
        string text = Client.Http.GetStringAsync(new Uri(registry.HttpUrl, "/metrics")).GetAwaiter().GetResult();
        Match m = Regex.Match(text, $@"^{name} (\S+)$", RegexOptions.Multiline);
        return m.Success ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : -1;
    }
}
