using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ImeiEir.Core;
using ImeiEir.Store;
using ImeiEir.Tools.EirCtl;

namespace ImeiEir.Integration.Tests;

/// <summary>The reply of <c>POST /v1/deltas</c>: HTTP status, the summary, and each line's sequence by IMEI.</summary>
internal sealed record PushResult(HttpStatusCode Status, ulong LastSequence, long Applied, Dictionary<string, ulong> SequenceByImei, string Body);

/// <summary>A registry process's GET /v1/status, the parts the tests compare.</summary>
internal sealed record RegistryStatus(ulong Sequence, string Generation, string Digest);

/// <summary>A node's GET /health/ready, the parts the tests read.</summary>
internal sealed record NodeSyncStatus(int HttpStatus, string Status, ulong LastApplied, ulong RegistryHead, string Raw);

/// <summary>The registry as of its snapshot: head sequence, every live record, and the digest a node reports.</summary>
internal sealed record RegistrySnapshot(ulong Sequence, Dictionary<ulong, ImeiRecord> Records, string Digest);

/// <summary>
/// What the cluster tests do over the wire: push deltas and read the registry (its HTTP API, bearer tokens), read a
/// node's /health/ready and /v1/digest, and ask a node over Diameter (eirctl's own S13 client, CER/ECR/DPR).
/// </summary>
internal sealed class ClusterClient : IDisposable
{
    public const string AdminToken = "it-admin-token-0123456789abcdef";
    public const string ReaderToken = "it-reader-token-0123456789abcdef";
    public const string HomeImsi = "401011234567890";

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(120) };

    public HttpClient Http => _http;

    public void Dispose() => _http.Dispose();

    /// <summary>The notices a registry process holds, from <c>GET /v1/notices?</c><paramref name="query"/> with the admin token.</summary>
    public List<JsonElement> Notices(ClusterProcess registry, string query)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(registry.RegistryUrl, $"/v1/notices?{query}"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        using HttpResponseMessage response = _http.Send(request);
        string body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"GET /v1/notices on {registry.Name}: {body}");
        using JsonDocument json = JsonDocument.Parse(body);
        return [.. json.RootElement.GetProperty("notices").EnumerateArray().Select(n => n.Clone())];
    }

    // ---------------------------------------------------------------- registry

    /// <summary>POSTs a CSV delta with the admin token and reads the whole reply.</summary>
    public PushResult Push(Uri registry, string csv, CancellationToken ct = default)
    {
        using HttpRequestMessage request = PushRequest(registry, csv);
        using HttpResponseMessage response = _http.SendAsync(request, ct).GetAwaiter().GetResult();
        string body = response.Content.ReadAsStringAsync(ct).GetAwaiter().GetResult();
        return ParsePush(response.StatusCode, body);
    }

    public static HttpRequestMessage PushRequest(Uri registry, string csv)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(registry, "/v1/deltas"))
        {
            Content = new StringContent(csv, Encoding.UTF8, "text/csv"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        return request;
    }

    public static PushResult ParsePush(HttpStatusCode status, string body)
    {
        var sequences = new Dictionary<string, ulong>();
        ulong last = 0;
        long applied = 0;
        if (status == HttpStatusCode.OK)
        {
            using JsonDocument json = JsonDocument.Parse(body);
            JsonElement root = json.RootElement;
            if (root.GetProperty("lastSequence").ValueKind == JsonValueKind.Number) last = root.GetProperty("lastSequence").GetUInt64();
            applied = root.GetProperty("applied").GetInt64();
            foreach (JsonElement line in root.GetProperty("lines").EnumerateArray())
                if (line.TryGetProperty("imei", out JsonElement imei) && line.TryGetProperty("sequence", out JsonElement seq))
                    sequences[imei.GetString()!] = seq.GetUInt64();
        }
        return new PushResult(status, last, applied, sequences, body.Length > 2000 ? body[..2000] + "…" : body);
    }

    /// <summary>Changes 1..<paramref name="through"/> of the registry's <c>/v1/feed</c>, in order.</summary>
    public List<Change> FeedThrough(Uri registry, ulong through)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(registry, "/v1/feed?after=0"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ClusterClient.ReaderToken);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using HttpResponseMessage response = _http.Send(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
        using Stream stream = response.Content.ReadAsStream(cts.Token);
        var changes = new List<Change>();
        var frame = new byte[FeedFormat.ChangeFrameSize];
        while (changes.Count == 0 ? through > 0 : changes[^1].Sequence < through)
        {
            stream.ReadExactly(frame, 0, 1);
            int size = FeedFormat.FrameSize(frame[0]);
            Assert.That(size, Is.Not.Zero, "a feed frame of known kind");
            stream.ReadExactly(frame, 1, size - 1);
            if (frame[0] != FeedFormat.ChangeKind) continue;
            Assert.That(ChangeCodec.TryRead(frame.AsSpan(1), out Change change), Is.True);
            changes.Add(change);
        }
        return changes;
    }

    /// <summary>GET /v1/imei/{imei}: null on 404, else the JSON (list, reason, sequence, history).</summary>
    public JsonElement? GetImei(Uri registry, string imei)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(registry, $"/v1/imei/{imei}"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ReaderToken);
        using HttpResponseMessage response = _http.Send(request);
        string body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"GET /v1/imei/{imei}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>GET /v1/status of a registry process: its sequence, generation and the digest a node reports for the same state.</summary>
    public RegistryStatus Status(ClusterProcess registry)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(registry.RegistryUrl, "/v1/status"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ReaderToken);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using HttpResponseMessage response = _http.Send(request, cts.Token);
        string body = response.Content.ReadAsStringAsync(cts.Token).GetAwaiter().GetResult();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"GET /v1/status on {registry.Name}: {body}");
        using JsonDocument json = JsonDocument.Parse(body);
        return new RegistryStatus(json.RootElement.GetProperty("sequence").GetUInt64(), json.RootElement.GetProperty("generation").GetString()!,
            json.RootElement.GetProperty("digest").GetString()!);
    }

    /// <summary>GET /v1/snapshot, parsed with <see cref="SnapshotFormat"/>, digested as a node digests its store.</summary>
    public RegistrySnapshot Snapshot(Uri registry)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(registry, "/v1/snapshot"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ReaderToken);
        using HttpResponseMessage response = _http.Send(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), "GET /v1/snapshot");
        byte[] bytes = response.Content.ReadAsByteArrayAsync().GetAwaiter().GetResult();

        Assert.That(SnapshotFormat.TryReadHeader(bytes, out ulong sequence, out _), Is.True, "snapshot header");
        var records = new Dictionary<ulong, ImeiRecord>();
        long count = 0;
        ulong sum = 0;
        int at = SnapshotFormat.HeaderSize;
        ulong recordsSeen = 0;
        while (true)
        {
            Assert.That(bytes.Length - at, Is.GreaterThanOrEqualTo(SnapshotFormat.TrailerSize), "snapshot cut short (no trailer)");
            ReadOnlySpan<byte> rest = bytes.AsSpan(at);
            if (SnapshotFormat.IsTrailer(rest))
            {
                Assert.That(SnapshotFormat.ReadTrailerCount(rest), Is.EqualTo(recordsSeen), "snapshot trailer count");
                break;
            }
            if (SnapshotFormat.IsPair(rest))
            {
                // A paired record's rightful IMSI (version 3): digested as a node digests its pair table.
                Assert.That(SnapshotFormat.TryReadPair(rest, out Imei paired, out _, out PackedImsi imsi), Is.True, $"snapshot pair at byte {at}");
                sum += StateDigest.MixPair(paired, imsi);
                recordsSeen++;
                at += SnapshotFormat.RecordSize;
                continue;
            }
            Assert.That(SnapshotFormat.TryReadRecord(rest, out Imei imei, out ImeiRecord record), Is.True, $"snapshot record at byte {at}");
            recordsSeen++;
            records[imei.Key] = record;
            if (StateDigest.Counts(record))
            {
                count++;
                sum += StateDigest.Mix(imei, record);
            }
            at += SnapshotFormat.RecordSize;
        }
        return new RegistrySnapshot(sequence, records, new StateDigest(count, sum).ToString());
    }

    // ---------------------------------------------------------------- node

    public NodeSyncStatus Ready(ClusterProcess node)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using HttpResponseMessage response = _http.GetAsync(new Uri(node.HttpUrl, "/health/ready"), cts.Token).GetAwaiter().GetResult();
        string body = response.Content.ReadAsStringAsync(cts.Token).GetAwaiter().GetResult();
        using JsonDocument json = JsonDocument.Parse(body);
        JsonElement root = json.RootElement;
        ulong applied = 0, head = 0;
        if (root.TryGetProperty("sync", out JsonElement sync) && sync.ValueKind == JsonValueKind.Object)
        {
            applied = sync.GetProperty("lastApplied").GetUInt64();
            head = sync.GetProperty("registryHead").GetUInt64();
        }
        return new NodeSyncStatus((int)response.StatusCode, root.GetProperty("status").GetString() ?? "", applied, head, body);
    }

    /// <summary>Polls /health/ready until lastApplied ≥ <paramref name="sequence"/>; fails the test on timeout.</summary>
    public NodeSyncStatus WaitApplied(ClusterProcess node, ulong sequence, TimeSpan timeout)
    {
        NodeSyncStatus status = null!;
        Eventually.TryUntil(() => (status = Ready(node)).LastApplied >= sequence || node.HasExited, timeout);
        if (status.LastApplied >= sequence) return status;
        Assert.Fail($"{node.Name} did not apply sequence {sequence} within {timeout.TotalSeconds:0} s: {status.Raw}\n{node.Output}");
        return status;
    }

    /// <summary>GET /v1/digest: "records:sum" and the node's last applied sequence.</summary>
    public (string Digest, ulong LastApplied) Digest(ClusterProcess node)
    {
        string body = _http.GetStringAsync(new Uri(node.HttpUrl, "/v1/digest")).GetAwaiter().GetResult();
        using JsonDocument json = JsonDocument.Parse(body);
        return (json.RootElement.GetProperty("digest").GetString()!, json.RootElement.GetProperty("lastApplied").GetUInt64());
    }

    /// <summary>
    /// Waits until the node applied the registry's head, then asserts the node's digest is exactly the registry's.
    /// The registry must be quiet (no pushes) meanwhile.
    /// </summary>
    public void AssertSameState(ClusterProcess registry, ClusterProcess node, TimeSpan timeout)
    {
        RegistrySnapshot snapshot = Snapshot(registry.RegistryUrl);
        WaitApplied(node, snapshot.Sequence, timeout);
        (string digest, ulong applied) = Digest(node);
        Assert.Multiple(() =>
        {
            Assert.That(applied, Is.EqualTo(snapshot.Sequence), $"{node.Name} lastApplied vs the registry head");
            Assert.That(digest, Is.EqualTo(snapshot.Digest), $"{node.Name} digest vs the registry's (records:sum)");
        });
        TestContext.Progress.WriteLine($"{node.Name}: digest {digest} at sequence {applied} = the registry's");
    }

    // ---------------------------------------------------------------- Diameter

    /// <summary>One ME-Identity-Check (CER, ECR, DPR) against a node; the Equipment-Status, or null without one.</summary>
    public static EquipmentStatus? Check(ClusterProcess node, string imei, string? imsi = HomeImsi)
    {
        using DiameterProbe probe = DiameterProbe.Connect(node.DiameterEndPoint, "it.localdomain", "localdomain", TimeSpan.FromSeconds(5));
        CheckAnswer answer = probe.Check(imei, imsi, "localdomain", null);
        probe.Disconnect();
        Assert.That(answer.ResultCode, Is.EqualTo(2001u), $"{node.Name}: Result-Code for {imei}");
        return answer.EquipmentStatus < 0 ? null : (EquipmentStatus)answer.EquipmentStatus;
    }

    /// <summary>Asks over Diameter until every IMEI gets its expected answer or the time is up; returns the last answers.</summary>
    public static Dictionary<string, EquipmentStatus?> WaitForAnswers(ClusterProcess node, IReadOnlyDictionary<string, EquipmentStatus> expected, TimeSpan timeout)
    {
        var answers = new Dictionary<string, EquipmentStatus?>();
        Eventually.TryUntil(() =>
        {
            foreach ((string imei, EquipmentStatus _) in expected) answers[imei] = Check(node, imei);
            return expected.All(e => answers[e.Key] == e.Value);
        }, timeout, interval: TimeSpan.FromMilliseconds(50));
        return answers;
    }
}

/// <summary>
/// Delta CSVs of synthetic IMEIs: distinct 15-digit IMEIs with valid check digits, from a TAC block per batch so
/// batches never share an IMEI, lists cycling white, black (stolen), grey (unverified, fixed deadline).
/// </summary>
internal static class Deltas
{
    public const string Header = "op,imei,list,reason,deadline,new_imei\n";

    /// <summary>The i-th IMEI of block <paramref name="block"/> (1–999): TAC 35{block:000}xxx, serials in order.</summary>
    public static string ImeiOf(int block, int i)
    {
        ulong key = (35_000_000UL + (ulong)block * 1_000) * 1_000_000UL + (ulong)i;
        return Imei.FromKey(key).ToString();
    }

    public static (ListKind List, string Line) LineOf(int block, int i) => (i % 3) switch
    {
        0 => (ListKind.White, $"set,{ImeiOf(block, i)},white,verified,,"),
        1 => (ListKind.Black, $"set,{ImeiOf(block, i)},black,stolen,,"),
        _ => (ListKind.Grey, $"set,{ImeiOf(block, i)},grey,unverified,2030-12-31,"),
    };

    /// <summary>A batch of <paramref name="count"/> set lines over block <paramref name="block"/>.</summary>
    public static string Batch(int block, int count, IEnumerable<string>? extraLines = null)
    {
        var csv = new StringBuilder(Header, count * 48 + 64);
        for (int i = 0; i < count; i++) csv.Append(LineOf(block, i).Line).Append('\n');
        foreach (string line in extraLines ?? []) csv.Append(line).Append('\n');
        return csv.ToString();
    }

    public static IEnumerable<string> ImeisOf(int block, int count) => Enumerable.Range(0, count).Select(i => ImeiOf(block, i));

    public static EquipmentStatus Expected(ListKind list) => list switch
    {
        ListKind.White => EquipmentStatus.Whitelisted,
        ListKind.Black => EquipmentStatus.Blacklisted,
        _ => EquipmentStatus.Greylisted,
    };

    public static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
