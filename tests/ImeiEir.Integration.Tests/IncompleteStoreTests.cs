using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using ImeiEir.Core;
using ImeiEir.Tools.EirCtl;

namespace ImeiEir.Integration.Tests;

/// <summary>
/// A node answers only from a complete copy of the lists (issue 21, section 1): a fresh node bootstrapping millions
/// of records answers no black IMEI with anything but BLACKLISTED or a refusal, writes and reports nothing meanwhile,
/// and once restarted from its own checkpoint answers at once from it.
/// </summary>
/// <remarks>Runs on a Local registry only (see <see cref="ClusterFixture"/>): it is about a node's own store; the registry only feeds it.</remarks>
[TestFixture]
[NonParallelizable]
public sealed partial class IncompleteStoreTests : ClusterFixture
{
    private const long Keys = 2_300_000; // the default mix leaves 90 % of the keyspace in the file: 2.07M records
    private const int AskedImeis = 400;
    private const int MaxRequests = 200_000;
    private static readonly TimeSpan AskFor = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    protected override string Name => "incomplete";

    [Test]
    [CancelAfter(300_000)]
    public void A_fresh_node_answers_black_IMEIs_only_BLACKLISTED_or_refuses_while_it_bootstraps_and_a_restart_answers_at_once_from_its_checkpoint()
    {
        string lists = Path.Combine(Root, "lists.csv");
        (int genExit, _, string genTranscript) = EirctlTests.RunEirctl(["gen", "--count", Keys.ToString(CultureInfo.InvariantCulture), "--seed", "21", "--out", lists]);
        Assert.That(genExit, Is.Zero, genTranscript);
        (string[] black, long records) = BlackImeis(lists, AskedImeis);
        Assert.That(records, Is.GreaterThanOrEqualTo(2_000_000), "at least 2M records to bootstrap");

        string expected = Keys.ToString(CultureInfo.InvariantCulture);
        ClusterProcess registry = Track(ClusterProcess.StartRegistry("registry", Path.Combine(Root, "registry"), ClusterClient.AdminToken, ClusterClient.ReaderToken, 0,
            $"--Registry:InitialLists={lists}", $"--Registry:ExpectedRecords={expected}", $"--Registry:MaxDeltaLines={expected}"));

        string nodeDir = Path.Combine(Root, "node");
        string[] nodeArgs = [$"--Store:ExpectedRecords={expected}"];
        ClusterProcess node = Track(ClusterProcess.StartEir("node", nodeDir, registry.RegistryUrl, ClusterClient.ReaderToken, false, nodeArgs));
        node.WaitUntilListening();

        // From the moment the port accepts until the node is ready and has answered BLACKLISTED a while.
        Tally tally = AskUntilReadyAndAnswered(node, black);
        TestContext.Progress.WriteLine($"during and after the bootstrap: {tally}");
        node.WaitUntilReady();
        Assert.Multiple(() =>
        {
            Assert.That(tally.Wrong, Is.Empty, "only BLACKLISTED (2001) or a refusal");
            Assert.That(tally.Blacklisted, Is.GreaterThan(0), "answered once complete");
        });

        // The answers after completion reported black attaches (home IMSI); once they arrived at the registry, every
        // sighting before them has too. None may be a first sighting or one of a device the registry did not expect.
        Eventually.Until(() => RegistrySightings(registry).GetValueOrDefault("attach") > 0, TimeSpan.FromSeconds(30),
            "the black attaches reported after the bootstrap");
        Dictionary<string, double> sightings = RegistrySightings(registry);
        Assert.That(sightings.Where(s => s.Key != "attach" && s.Value > 0), Is.Empty,
            "no first sighting (each goes with a provisional grey record) while bootstrapping");

        // Restart from its own checkpoint (taken at the SIGTERM), with the registry gone: it answers at once.
        Assert.That(node.Stop(), Is.Zero, "node exit code after SIGTERM");
        Release(node);
        int unreachable = TestEnvironment.UnusedLoopbackPort();
        ClusterProcess restarted = Track(ClusterProcess.StartEir("node-restarted", nodeDir, new Uri($"http://127.0.0.1:{unreachable}"),
            ClusterClient.ReaderToken, false, nodeArgs));
        restarted.WaitUntilListening();
        Assert.That(restarted.WaitForOutput(l => RecoveredPattern().IsMatch(l), TimeSpan.FromSeconds(5), out string recovered), Is.True,
            "one line with the checkpoint's sequence and age\n" + restarted.Output);
        TestContext.Progress.WriteLine($"restart: {recovered.Trim()}");
        Assert.Multiple(() =>
        {
            foreach (string imei in black.Take(20))
                Assert.That(ClusterClient.Check(restarted, imei), Is.EqualTo(EquipmentStatus.Blacklisted), imei);
            Assert.That(restarted.Output, Does.Not.Contain("ImeiEir ready"), "answered before any catch-up: from the checkpoint");
        });
    }

    [TestCase("Epoll")]
    [TestCase("Sockets")]
    [CancelAfter(120_000)]
    public void A_node_that_never_had_its_lists_refuses_Diameter_and_answers_N5g_eir_and_the_lookup_503_with_Retry_After(string transport)
    {
        // No checkpoint and no registry to bootstrap from: the window in which a node would answer from nothing never closes.
        int unreachable = TestEnvironment.UnusedLoopbackPort();
        ClusterProcess node = Track(ClusterProcess.StartEir("node", Path.Combine(Root, "node"), new Uri($"http://127.0.0.1:{unreachable}"),
            ClusterClient.ReaderToken, false, $"--Diameter:Transport={transport}"));
        node.WaitUntilListening();
        const string Black = "35123456000000";

        Assert.Multiple(() =>
        {
            // Closed at once: the CER finds a closed connection (FIN, or RST when it had already arrived), never a CEA.
            Exception? refused = Assert.Catch(() => DiameterProbe.Connect(node.DiameterEndPoint, "it.localdomain", "localdomain", ProbeTimeout).Dispose());
            Assert.That(refused, Is.TypeOf<ProbeException>().Or.InstanceOf<SocketException>());
            Assert.That(refused!.Message, Does.Contain("closed the connection before answering command 257").Or.Contain("ConnectionReset").Or.Contain("reset").IgnoreCase,
                "closed before any CEA");

            foreach (string path in new[] { $"/v1/imei/{Black}", $"/n5g-eir-eic/v1/equipment-status?pei=imei-{TestLists.WithCheckDigit(Black)}&supi=imsi-{ClusterClient.HomeImsi}" })
            {
                using HttpResponseMessage response = Client.Http.GetAsync(new Uri(node.HttpUrl, path)).GetAwaiter().GetResult();
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), path);
                Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), path);
                Assert.That(response.Headers.RetryAfter?.Delta, Is.GreaterThan(TimeSpan.Zero), $"{path}: Retry-After");
            }
        });
    }

    /// <summary>What the client got, by kind; <see cref="Wrong"/> holds every answer that is neither BLACKLISTED nor a refusal.</summary>
    private sealed class Tally
    {
        public int Requests;
        public int Blacklisted;
        public int Refusals;
        public List<string> Wrong { get; } = [];

        public override string ToString() =>
            $"{Requests} ECRs sent, {Blacklisted} BLACKLISTED, {Refusals} refusals (closed connections or 3004), {Wrong.Count} other answers";
    }

    /// <summary>
    /// Plays an MME that asks for black IMEIs with a home IMSI from the moment the port accepts: reconnects at once
    /// when the node closes the connection, and stops once the node is ready and has answered BLACKLISTED a thousand
    /// times (or after <see cref="MaxRequests"/> requests, or <see cref="AskFor"/>).
    /// </summary>
    private static Tally AskUntilReadyAndAnswered(ClusterProcess node, string[] black)
    {
        var tally = new Tally();
        var clock = Stopwatch.StartNew();
        int next = 0;
        while (clock.Elapsed < AskFor && tally.Requests < MaxRequests)
        {
            if (tally.Blacklisted >= 1000 && node.OutputLines.Any(l => l.StartsWith("ImeiEir ready:", StringComparison.Ordinal))) break;
            DiameterProbe probe;
            try
            {
                probe = DiameterProbe.Connect(node.DiameterEndPoint, "it.localdomain", "localdomain", ProbeTimeout);
            }
            catch (Exception e) when (e is ProbeException or SocketException)
            {
                tally.Refusals++; // closed at once: an MME fails over and reconnects later
                Thread.Sleep(5);
                continue;
            }
            using (probe)
            {
                for (int i = 0; i < 500 && tally.Requests < MaxRequests; i++)
                {
                    string imei = black[next++ % black.Length];
                    CheckAnswer answer;
                    try
                    {
                        answer = probe.Check(imei, ClusterClient.HomeImsi, "localdomain", null);
                    }
                    catch (Exception e) when (e is ProbeException or SocketException)
                    {
                        tally.Refusals++;
                        break;
                    }
                    tally.Requests++;
                    if (answer.ResultCode == 2001 && answer.EquipmentStatus == (int)EquipmentStatus.Blacklisted) tally.Blacklisted++;
                    else if (answer.ResultCode == 3004) tally.Refusals++;
                    else if (tally.Wrong.Count < 20) tally.Wrong.Add($"{imei}: Result-Code {answer.ResultCode}, Equipment-Status {answer.EquipmentStatus}");
                    else tally.Wrong.Add("...");
                }
            }
        }
        return tally;
    }

    /// <summary><paramref name="count"/> black IMEIs (14 digits) spread over the whole file, and the file's record count.</summary>
    private static (string[] Black, long Records) BlackImeis(string csv, int count)
    {
        var all = new List<string>();
        long records = 0;
        foreach (string line in File.ReadLines(csv).Skip(1))
        {
            if (line.Length == 0) continue;
            records++;
            string[] fields = line.Split(',');
            if (fields[1] == "black") all.Add(fields[0][..14]);
        }
        Assert.That(all.Count, Is.GreaterThanOrEqualTo(count), "black records in the generated lists");
        return (Enumerable.Range(0, count).Select(i => all[(int)((long)i * all.Count / count)]).ToArray(), records);
    }

    /// <summary>The registry's <c>imeieir_registry_sightings_total</c> by outcome.</summary>
    private Dictionary<string, double> RegistrySightings(ClusterProcess registry)
    {
        string text = Client.Http.GetStringAsync(new Uri(registry.HttpUrl, "/metrics")).GetAwaiter().GetResult();
        var byOutcome = new Dictionary<string, double>();
        foreach (Match m in SightingsPattern().Matches(text))
            byOutcome[m.Groups[1].Value] = double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        return byOutcome;
    }

    [GeneratedRegex(@"^imeieir_registry_sightings_total\{outcome=""([a-z]+)""\} (\S+)$", RegexOptions.Multiline)]
    private static partial Regex SightingsPattern();

    [GeneratedRegex(@"Store recovered from its checkpoint in .* at sequence [1-9]\d*, taken \d+ s ago")]
    private static partial Regex RecoveredPattern();
}
