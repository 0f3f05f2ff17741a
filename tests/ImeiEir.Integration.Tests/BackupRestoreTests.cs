using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ImeiEir.Core;
using ImeiEir.Store;

namespace ImeiEir.Integration.Tests;

/// <summary>
/// Registry generations, backup and restore with real processes: a node never mixes two registries' histories, an
/// online backup restores the registry as of its sequence, and the old registry's nodes follow the restored one.
/// </summary>
/// <remarks>
/// A Local fixture (see <see cref="ClusterFixture"/>): the JetStream restore (BackupRestoreTests.JetStream.cs) starts its
/// own NATS cluster and registry processes, as it needs two streams and no peer.
/// </remarks>
[TestFixture]
[NonParallelizable]
public sealed partial class BackupRestoreTests : ClusterFixture
{
    private static readonly TimeSpan SyncWithin = TimeSpan.FromSeconds(60);
    private const string GenerationLine = "a new or restored registry";

    protected override string Name => "backup";

    private ClusterProcess StartRegistry(string name, int port = 0, params string[] extra) =>
        Track(ClusterProcess.StartRegistry(name, Path.Combine(Root, name), ClusterClient.AdminToken, ClusterClient.ReaderToken, port, extra));

    private ClusterProcess StartNode(ClusterProcess registry) =>
        Track(ClusterProcess.StartEir("node", Path.Combine(Root, "node"), registry.RegistryUrl, ClusterClient.ReaderToken, true,
            ["--Sync:MaxBackoff=00:00:01"]));

    [Test]
    [CancelAfter(180_000)]
    public void A_node_of_one_registry_pointed_at_a_new_registry_ahead_of_it_bootstraps_and_holds_the_new_state()
    {
        ClusterProcess a = StartRegistry("registry-a");
        Assert.That(Client.Push(a.RegistryUrl, Deltas.Batch(block: 1, count: 500)).LastSequence, Is.EqualTo(500UL));
        ClusterProcess node = StartNode(a);
        Client.AssertSameState(a, node, SyncWithin);
        int port = a.RegistryPort;
        Assert.That(a.Stop(), Is.Zero);
        Release(a);

        // A new registry at the same address whose numbers run past the node's 500: its feed after 500 would be answered.
        string lists = Path.Combine(Root, "lists.csv");
        File.WriteAllText(lists, "imei,list,reason\n" + string.Concat(Deltas.ImeisOf(5, 1_500).Select(imei => $"{imei},black,stolen\n")));
        ClusterProcess b = StartRegistry("registry-b", port, $"--Registry:InitialLists={lists}");
        Assert.That(RegistryStatus(b).Sequence, Is.EqualTo(1_500UL));

        Client.AssertSameState(b, node, SyncWithin);
        Assert.That(node.OutputLines.Count(l => l.Contains(GenerationLine, StringComparison.Ordinal)), Is.EqualTo(1),
            "one line says why the node bootstrapped again");
    }

    [Test]
    [CancelAfter(240_000)]
    public void A_backup_under_pushes_restores_the_registry_as_of_its_sequence_and_the_old_registry_s_node_follows_the_restored_one()
    {
        ClusterProcess a = StartRegistry("registry-a");
        Client.Push(a.RegistryUrl, Deltas.Batch(block: 1, count: 2_000));
        ClusterProcess node = StartNode(a);

        (string backup, ulong sequence, string aGeneration, string expectedDigest, Dictionary<string, string> expectedHistories, int port) =
            BackUpUnderPushesAndStop(a, node);

        ClusterProcess restored = StartRegistry("registry-restored", port, $"--Registry:RestoreFrom={backup}");
        (ulong restoredSequence, string restoredGeneration, string restoredDigest) = RegistryStatus(restored);
        Assert.Multiple(() =>
        {
            Assert.That(restoredSequence, Is.EqualTo(sequence));
            Assert.That(restoredDigest, Is.EqualTo(expectedDigest), "the state as of the backup's sequence");
            Assert.That(restoredGeneration, Is.Not.EqualTo(aGeneration));
            foreach (string imei in expectedHistories.Keys)
                Assert.That(History(restored.RegistryUrl, imei, sequence), Is.EqualTo(expectedHistories[imei]), $"history of {imei}");
        });

        // The node was ahead of the restored registry, on the old generation: it bootstraps and holds the restored state.
        Assert.That(node.WaitForOutput(l => l.Contains(GenerationLine, StringComparison.Ordinal), SyncWithin, out _), Is.True,
            "the node says why it bootstraps again");
        // Until its new bootstrap is whole the node still answers from (and reports) the old registry's state.
        Eventually.TryUntil(() => Client.Digest(node) == (restoredDigest, sequence), SyncWithin, TimeSpan.FromMilliseconds(200));
        Assert.That(Client.Digest(node), Is.EqualTo((restoredDigest, sequence)), "the node holds exactly the restored state");
        Client.AssertSameState(restored, node, SyncWithin);
    }

    /// <summary>
    /// <see cref="BackupUnderPushes"/>, then, once <paramref name="node"/> caught up with the pushes that followed, what
    /// the restored registry must show as of the backup's sequence (digest, sampled histories), and the registry stopped.
    /// </summary>
    private (string Backup, ulong Sequence, string Generation, string Digest, Dictionary<string, string> Histories, int Port) BackUpUnderPushesAndStop(
        ClusterProcess registry, ClusterProcess node)
    {
        (string backup, ulong sequence) = BackupUnderPushes(registry);
        (ulong last, string generation, _) = RegistryStatus(registry);
        Assert.That(last, Is.GreaterThan(sequence), "pushes went on past the backup");
        Client.WaitApplied(node, last, SyncWithin);
        string digest = DigestOfChanges(registry.RegistryUrl, sequence);
        string[] sample = [.. Deltas.ImeisOf(1, 2_000).Where((_, i) => i % 157 == 0)];
        Dictionary<string, string> histories = sample.ToDictionary(imei => imei, imei => History(registry.RegistryUrl, imei, sequence));
        int port = registry.RegistryPort;
        Assert.That(registry.Stop(), Is.Zero);
        Release(registry);
        return (backup, sequence, generation, digest, histories, port);
    }

    /// <summary>
    /// Backs <paramref name="registry"/> up with eirctl while pushes go on, until a few more have followed the backup;
    /// returns the file and the sequence it holds. The pushes re-list 300 IMEIs of block 1 (2,000 pushed before) each.
    /// </summary>
    private (string Backup, ulong Sequence) BackupUnderPushes(ClusterProcess registry)
    {
        // Pushes go on while the backup is taken, until a few more have followed it: bounded in count and time. Each
        // batch re-lists 300 IMEIs of block 1, black in even rounds and white in odd ones, so IMEIs gather histories.
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        int pushed = 0;
        Task load = Task.Run(() =>
        {
            using var client = new ClusterClient();
            for (int round = 0; round < 1_000 && !stop.IsCancellationRequested; round++)
            {
                string list = round % 2 == 0 ? "black,stolen" : "white,verified";
                string csv = Deltas.Header + string.Concat(Enumerable.Range(0, 300).Select(i =>
                    $"set,{Deltas.ImeiOf(1, (i + round * 300) % 2_000)},{list},,\n"));
                PushResult result = client.Push(registry.RegistryUrl, csv, stop.Token);
                Assert.That(result.Status, Is.EqualTo(System.Net.HttpStatusCode.OK), result.Body);
                Interlocked.Increment(ref pushed);
            }
        });
        Eventually.TryUntil(() => Volatile.Read(ref pushed) >= 3 || load.IsCompleted, TimeSpan.FromSeconds(60));

        string backup = Path.Combine(Root, "registry.backup");
        (int exit, string stdout, string transcript) = EirctlTests.RunEirctl(
            ["backup", "--out", backup, "--registry", registry.RegistryUrl.ToString(), "--token", ClusterClient.AdminToken]);
        Assert.That(exit, Is.Zero, transcript);
        Match held = HeldSequence().Match(stdout);
        Assert.That(held.Success, Is.True, transcript);
        ulong sequence = ulong.Parse(held.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        int pushedAtBackup = Volatile.Read(ref pushed);
        Eventually.TryUntil(() => Volatile.Read(ref pushed) >= pushedAtBackup + 3 || load.IsCompleted, TimeSpan.FromSeconds(60));
        stop.Cancel();
        try { load.Wait(TimeSpan.FromSeconds(60)); } catch (AggregateException e) when (e.InnerException is OperationCanceledException) { }

        return (backup, sequence);
    }

    [GeneratedRegex(@"as of sequence (\d+)")]
    private static partial Regex HeldSequence();

    /// <summary>GET /v1/status: sequence, generation, digest.</summary>
    private (ulong Sequence, string Generation, string Digest) RegistryStatus(ClusterProcess registry)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(registry.RegistryUrl, "/v1/status"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ClusterClient.ReaderToken);
        using HttpResponseMessage response = Client.Http.Send(request);
        string body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        Assert.That(response.IsSuccessStatusCode, Is.True, body);
        using JsonDocument json = JsonDocument.Parse(body);
        JsonElement root = json.RootElement;
        Assert.That(root.GetProperty("records").GetInt64(), Is.EqualTo(long.Parse(root.GetProperty("digest").GetString()!.Split(':')[0], System.Globalization.CultureInfo.InvariantCulture)));
        return (root.GetProperty("sequence").GetUInt64(), root.GetProperty("generation").GetString()!, root.GetProperty("digest").GetString()!);
    }

    /// <summary>An IMEI's history as of <paramref name="sequence"/>, as the registry shows it (one line per change).</summary>
    private string History(Uri registry, string imei, ulong sequence)
    {
        JsonElement record = Client.GetImei(registry, imei)!.Value;
        var lines = new StringBuilder();
        foreach (JsonElement change in record.GetProperty("history").EnumerateArray())
        {
            if (change.GetProperty("sequence").GetUInt64() <= sequence) lines.Append(change.GetRawText()).Append('\n');
        }
        return lines.ToString();
    }

    /// <summary>The digest of the state changes 1..<paramref name="sequence"/> of the registry's feed make, as a node computes it.</summary>
    private string DigestOfChanges(Uri registry, ulong sequence)
    {
        var records = new Dictionary<ulong, ImeiRecord>();
        foreach (Change change in Client.FeedThrough(registry, sequence)) records[change.ImeiKey] = change.ToRecord();
        return StateDigest.Compute(records.Select(r => (Imei.FromKey(r.Key), r.Value))).ToString();
    }
}
