using System.Globalization;
using System.Net;
using System.Text.Json;
using ImeiEir.Core;

namespace ImeiEir.Integration.Tests;

/// <summary>
/// <c>eirctl legacy import</c> and <c>eirctl grace extend</c> against a registry and an EIR node as real processes:
/// the registry writes the changes, the node's Diameter answers and check-before-purchase lookup follow.
/// </summary>
[TestFixture(RegistryLog.Local)]
[TestFixture(RegistryLog.JetStream)]
[NonParallelizable]
public sealed class LegacyAndGraceTests(RegistryLog log) : ClusterFixture(log)
{
    private static readonly TimeSpan VisibleWithin = TimeSpan.FromSeconds(30);

    protected override string Name => "legacy-grace";

    private (ClusterProcess Registry, ClusterProcess Node) StartCluster()
    {
        ClusterProcess registry = StartRegistry("registry", Path.Combine(Root, "registry"));
        ClusterProcess node = StartNode("node-a", Path.Combine(Root, "node-a"), registry, true, "--Sync:MaxBackoff=00:00:01");
        return (registry, node);
    }

    private static (int ExitCode, string Stdout, string Transcript) Eirctl(ClusterProcess registry, params string[] args) =>
        EirctlTests.RunEirctl([.. args, "--registry", registry.RegistryUrl.ToString(), "--token", ClusterClient.AdminToken]);

    private void Push(ClusterProcess registry, string lines)
    {
        PushResult result = Client.Push(registry.RegistryUrl, Deltas.Header + lines);
        Assert.That(result.Status, Is.EqualTo(HttpStatusCode.OK), result.Body);
    }

    [Test]
    [CancelAfter(180_000)]
    public void Legacy_import_whitelists_devices_seen_before_the_regime_keeps_black_reports_the_rest_and_a_second_run_writes_nothing()
    {
        (ClusterProcess registry, ClusterProcess node) = StartCluster();
        string black = Deltas.ImeiOf(21, 1), grey = Deltas.ImeiOf(21, 2), white = Deltas.ImeiOf(21, 3);
        string unknown = Deltas.ImeiOf(21, 4), late = Deltas.ImeiOf(21, 5);
        Push(registry, $"set,{black},black,stolen,,\nset,{grey},grey,unverified,2030-12-31,\nset,{white},white,verified,,\n");

        string dump = Path.Combine(Root, "dump.csv");
        File.WriteAllText(dump, "imei,first_seen,imsi\n"
            + $"{black},2020-01-01,{ClusterClient.HomeImsi}\n"     // 2: kept black
            + $"{grey},2024-12-31\n"                                // 3: grey → white legacy
            + $"{white},2023-07-01T10:00:00+05:00\n"                // 4: unchanged
            + $"{unknown},2025-05-24T23:59:59\n"                    // 5: legacy
            + $"{late},2025-05-25\n"                                // 6: too late
            + "not-an-imei,2020-01-01\n");                          // 7: bad

        (int exit, string stdout, string transcript) = Eirctl(registry, "legacy", "import", dump, "--comment", "operator A dump");
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(2), "a bad line makes the exit code 2\n" + transcript);
            Assert.That(stdout, Does.Contain($"dump.csv:2: kept-black").And.Contain(black), transcript);
            Assert.That(stdout, Does.Contain($"dump.csv:6: too-late").And.Contain(late), transcript);
            Assert.That(stdout, Does.Contain("dump.csv:7: rejected").And.Contain("'not-an-imei'"), transcript);
            Assert.That(stdout, Does.Contain("2 imported (white, legacy), 1 unchanged, 1 kept black, 1 too late, 1 rejected"), transcript);
        });
        ulong head = Client.Snapshot(registry.RegistryUrl).Sequence;
        Assert.That(Client.GetImei(registry.RegistryUrl, grey)!.Value.GetProperty("reason").GetString(), Is.EqualTo("legacy"));

        var expected = new Dictionary<string, EquipmentStatus>
        {
            [black] = EquipmentStatus.Blacklisted,
            [grey] = EquipmentStatus.Whitelisted,
            [white] = EquipmentStatus.Whitelisted,
            [unknown] = EquipmentStatus.Whitelisted,
        };
        Client.WaitApplied(node, head, VisibleWithin);
        Assert.That(ClusterClient.WaitForAnswers(node, expected, VisibleWithin),
            Is.EquivalentTo(expected.ToDictionary(e => e.Key, e => (EquipmentStatus?)e.Value)), "the node's Diameter answers after the import");

        (int again, string stdoutAgain, string transcriptAgain) = Eirctl(registry, "legacy", "import", dump);
        Assert.That(again, Is.EqualTo(2), transcriptAgain);
        Assert.That(stdoutAgain, Does.Contain("0 imported (white, legacy), 3 unchanged, 1 kept black, 1 too late, 1 rejected"), transcriptAgain);
        Assert.That(Client.Snapshot(registry.RegistryUrl).Sequence, Is.EqualTo(head), "a second import appends nothing");
    }

    [Test]
    [CancelAfter(180_000)]
    public void Grace_extension_moves_grey_deadlines_keeps_later_ones_reinstates_only_with_reinstate_and_the_node_follows()
    {
        (ClusterProcess registry, ClusterProcess node) = StartCluster();
        DateTimeOffset now = DateTimeOffset.UtcNow;
        string soon = Deltas.ImeiOf(22, 1), later = Deltas.ImeiOf(22, 2), expiring = Deltas.ImeiOf(22, 3);
        // The regime's calendar is Asia/Almaty (+05:00): a bare date is 00:00 there.
        string soonDate = now.ToOffset(TimeSpan.FromHours(5)).AddDays(10).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        DateOnly untilDay = DateOnly.FromDateTime(now.ToOffset(TimeSpan.FromHours(5)).AddDays(60).DateTime);
        string laterDate = untilDay.AddDays(300).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        string expiresAt = now.AddSeconds(3).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        Push(registry, $"set,{soon},grey,unverified,{soonDate},\nset,{later},grey,unverified,{laterDate},\nset,{expiring},grey,unverified,{expiresAt},\n");

        // The registry's own expiry turns the third black (grey-expired) a few seconds later.
        Eventually.TryUntil(() => Client.GetImei(registry.RegistryUrl, expiring)!.Value.GetProperty("reason").GetString() == "grey-expired", VisibleWithin);
        Assert.That(Client.GetImei(registry.RegistryUrl, expiring)!.Value.GetProperty("reason").GetString(), Is.EqualTo("grey-expired"));

        string imeis = Path.Combine(Root, "imeis.txt");
        File.WriteAllText(imeis, $"# the regulator's list\n{soon}\n{later}\n{expiring}\n");
        string until = untilDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

        (int exit, string stdout, string transcript) = Eirctl(registry, "grace", "extend", "--until", until, "--imei-file", imeis, "--comment", "order 12");
        Assert.That(exit, Is.Zero, transcript);
        Assert.That(stdout, Does.Contain("1 extended, 1 unchanged (deadline already as late), 0 reinstated"), transcript);
        Assert.That(Client.GetImei(registry.RegistryUrl, expiring)!.Value.GetProperty("list").GetString(), Is.EqualTo("black"), "not reinstated without --reinstate");

        (exit, stdout, transcript) = Eirctl(registry, "grace", "extend", "--until", until, "--all", "--reinstate");
        Assert.That(exit, Is.Zero, transcript);
        Assert.That(stdout, Does.Contain("0 extended, 2 unchanged (deadline already as late), 1 reinstated"), transcript);

        Client.WaitApplied(node, Client.Snapshot(registry.RegistryUrl).Sequence, VisibleWithin);
        var expected = new Dictionary<string, EquipmentStatus>
        {
            [soon] = EquipmentStatus.Greylisted,
            [later] = EquipmentStatus.Greylisted,
            [expiring] = EquipmentStatus.Greylisted,
        };
        Assert.That(ClusterClient.WaitForAnswers(node, expected, VisibleWithin),
            Is.EquivalentTo(expected.ToDictionary(e => e.Key, e => (EquipmentStatus?)e.Value)), "the node's Diameter answers after the extension");

        string untilText = untilDay.ToString("dd.MM.yyyy", CultureInfo.InvariantCulture);
        Assert.Multiple(() =>
        {
            Assert.That(LookupDeadline(node, soon), Is.EqualTo(untilText), "extended");
            Assert.That(LookupDeadline(node, expiring), Is.EqualTo(untilText), "reinstated");
            Assert.That(LookupDeadline(node, later), Is.EqualTo(DateOnly.ParseExact(laterDate, "yyyy-MM-dd", CultureInfo.InvariantCulture).ToString("dd.MM.yyyy", CultureInfo.InvariantCulture)), "a later deadline is never moved earlier");
        });
    }

    /// <summary>The node's check-before-purchase deadline date (the regime's local date).</summary>
    private string? LookupDeadline(ClusterProcess node, string imei)
    {
        string body = Client.Http.GetStringAsync(new Uri(node.HttpUrl, $"/v1/imei/{imei}")).GetAwaiter().GetResult();
        using JsonDocument json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("deadlineLocalDate").GetString();
    }
}
