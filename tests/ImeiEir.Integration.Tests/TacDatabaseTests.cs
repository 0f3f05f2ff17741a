using System.Text.Json;
using ImeiEir.Core;

namespace ImeiEir.Integration.Tests;

/// <summary>
/// The GSMA TAC database end to end, as real processes on 127.0.0.1: <c>eirctl tac import</c> into a registry, an EIR
/// node fetches it and answers by it over Diameter S13 (Policy:RequireKnownTac and Policy:ExemptDeviceTypes) and in
/// the check before purchase (manufacturer and model).
/// </summary>
/// <remarks>Runs on a Local registry only (see <see cref="ClusterFixture"/>): the TAC database is kept by each registry process, not in the change log (docs/ARCHITECTURE.md, "The TAC database"), so a node following the peer of a JetStream registry would never see it.</remarks>
[TestFixture]
[NonParallelizable]
public sealed class TacDatabaseTests : ClusterFixture
{
    private const string PhoneImei = "49015420323751";   // TAC 49015420: Smartphone
    private const string ModuleImei = "86000012000001";  // TAC 86000012: Module
    private const string UnknownImei = "12345678000001"; // TAC 12345678: not in the file

    protected override string Name => "tac";

    [Test]
    [CancelAfter(180_000)]
    public void An_imported_TAC_file_reaches_a_node_which_answers_by_it_over_S13_and_in_the_lookup()
    {
        ClusterProcess registry = Track(ClusterProcess.StartRegistry("registry", Path.Combine(Root, "registry"), ClusterClient.AdminToken, ClusterClient.ReaderToken));
        ClusterProcess node = Track(ClusterProcess.StartEir("node", Path.Combine(Root, "node"), registry.RegistryUrl, ClusterClient.ReaderToken, true,
            "--Sync:MaxBackoff=00:00:01", "--Sync:TacCheckInterval=00:00:00.200", "--Policy:RequireKnownTac=true", "--Policy:ExemptDeviceTypes:0=Module"));

        // Without a database nothing changes, RequireKnownTac or not (and the node says so once).
        Assert.That(ClusterClient.Check(node, UnknownImei), Is.EqualTo(EquipmentStatus.Greylisted), "no TAC database yet");
        Assert.That(node.WaitForOutput(l => l.Contains("RequireKnownTac is true but", StringComparison.Ordinal), TimeSpan.FromSeconds(30), out _), Is.True,
            "the node logs that RequireKnownTac has nothing to check against\n" + node.Output);

        // A bad file: its line numbered, nothing imported.
        string bad = Path.Combine(Root, "bad.csv");
        File.WriteAllText(bad, "TAC,Brand Name,Model Name,Device Type\n49015420,Acme,Phone 1,Smartphone\n4901542X,Acme,Phone 2,Smartphone\n");
        (int badExit, string badOut, string badTranscript) = EirctlTests.RunEirctl(
            ["tac", "import", bad, "--registry", registry.RegistryUrl.ToString(), "--token", ClusterClient.AdminToken]);
        Assert.That(badExit, Is.Not.Zero, badTranscript);
        Assert.That(badOut, Does.Contain("bad.csv:3: TAC '4901542X' is not 8 digits").And.Contain("nothing was imported"), badTranscript);

        string file = Path.Combine(Root, "tac.csv");
        File.WriteAllText(file, "TAC|Brand Name|Model Name|Device Type\n49015420|Acme|Phone 1|Smartphone\n86000012|Quectel|BG96|Module\n");
        (int exit, string stdout, string transcript) = EirctlTests.RunEirctl(
            ["tac", "import", file, "--registry", registry.RegistryUrl.ToString(), "--token", ClusterClient.AdminToken]);
        Assert.That(exit, Is.Zero, transcript);
        Assert.That(stdout, Does.Contain("2 TACs imported as version 1-"), transcript);

        var expected = new Dictionary<string, EquipmentStatus>
        {
            [UnknownImei] = EquipmentStatus.Blacklisted,  // rule 5: not in the database
            [ModuleImei] = EquipmentStatus.Whitelisted,   // rule 4: an exempt device type
            [PhoneImei] = EquipmentStatus.Greylisted,     // known TAC, unknown IMEI: rule 7
        };
        Dictionary<string, EquipmentStatus?> answers = ClusterClient.WaitForAnswers(node, expected, TimeSpan.FromSeconds(30));
        Assert.That(answers, Is.EquivalentTo(expected.ToDictionary(e => e.Key, e => (EquipmentStatus?)e.Value)), node.Output);

        JsonElement phone = Lookup(node, PhoneImei);
        JsonElement unknown = Lookup(node, UnknownImei);
        Assert.Multiple(() =>
        {
            Assert.That(phone.GetProperty("manufacturer").GetString(), Is.EqualTo("Acme"));
            Assert.That(phone.GetProperty("model").GetString(), Is.EqualTo("Phone 1"));
            Assert.That(phone.GetProperty("tacKnown").GetBoolean(), Is.True);
            Assert.That(unknown.GetProperty("tacKnown").GetBoolean(), Is.False);
            Assert.That(unknown.GetProperty("status").GetString(), Is.EqualTo("BLACKLISTED"));
            Assert.That(unknown.GetProperty("verdict").GetProperty("en").GetString(), Does.Contain("not in the GSMA database"));
        });
    }

    private JsonElement Lookup(ClusterProcess node, string imei)
    {
        using HttpResponseMessage response = Client.Http.GetAsync(new Uri(node.HttpUrl, $"/v1/imei/{imei}")).GetAwaiter().GetResult();
        string body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        Assert.That((int)response.StatusCode, Is.EqualTo(200), body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }
}
