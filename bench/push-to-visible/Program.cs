using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ImeiEir.Core;
using ImeiEir.Tools.EirCtl;

// push-to-visible --registry http://127.0.0.1:R --admin-token T --node HTTPPORT:DIAMETERPORT --node ... \
//                 [--rounds 100] [--warmup 3] [--lines 10000] [--poll-ms 2] [--timeout-s 30] [--samples FILE]
//                 [--first-block 101]
//
// Each round: a fresh 10,000-line delta (new IMEIs, white/black/grey in turn) is POSTed; the clock starts before
// the POST is sent and stops when every node's GET /health/ready reports lastApplied >= the batch's lastSequence
// (polled every --poll-ms) AND a sampled IMEI of the batch (a black one, unknown to the nodes before) answers
// BLACKLISTED over Diameter on every node (one long-lived S13 connection per node, as an MME keeps). Prints one
// line per round, then p50/p90/p99/max over the measured rounds (warm-up rounds excluded) on the last line as
// "RESULT n=.. p50_ms=.. p90_ms=.. p99_ms=.. max_ms=.. post_p50_ms=.. post_p99_ms=..".

var registry = new Uri(Arg("--registry") ?? Fail<string>("--registry URL is required"));
string adminToken = Arg("--admin-token") ?? Fail<string>("--admin-token is required");
var nodes = Args("--node").Select(n =>
{
    string[] p = n.Split(':');
    return (Http: new Uri($"http://127.0.0.1:{p[0]}"), Diameter: new IPEndPoint(IPAddress.Loopback, int.Parse(p[1], CultureInfo.InvariantCulture)));
}).ToArray();
if (nodes.Length == 0) Fail<int>("at least one --node HTTPPORT:DIAMETERPORT");
int rounds = IntArg("--rounds", 100), warmup = IntArg("--warmup", 3), lines = IntArg("--lines", 10_000);
int pollMs = IntArg("--poll-ms", 2);
// Runs against one registry several times (bench/registry-log.sh) must not reuse IMEIs: a repeated line is unchanged
// and cheaper than a new one.
int firstBlock = IntArg("--first-block", 101);
var roundTimeout = TimeSpan.FromSeconds(IntArg("--timeout-s", 30));
string? samplesFile = Arg("--samples");

using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(120) };
var probes = nodes.Select(n => DiameterProbe.Connect(n.Diameter, "bench.localdomain", "localdomain", TimeSpan.FromSeconds(5))).ToArray();
var totals = new List<double>();
var posts = new List<double>();
var samples = new StringBuilder("round\tpost_ms\tapplied_ms\tvisible_ms\n");

for (int round = 1; round <= warmup + rounds; round++)
{
    int block = firstBlock - 1 + round; // TAC block per round: IMEIs never seen before
    string csv = Delta(block, lines);
    string sampled = ImeiOf(block, lines / 2 - (lines / 2) % 3 + 1); // i % 3 == 1: a black line, mid-batch

    long start = Stopwatch.GetTimestamp();
    using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(registry, "/v1/deltas"))
    {
        Content = new StringContent(csv, Encoding.UTF8, "text/csv"),
    };
    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
    using HttpResponseMessage response = await http.SendAsync(request);
    string body = await response.Content.ReadAsStringAsync();
    if (response.StatusCode != HttpStatusCode.OK) Fail<int>($"round {round}: POST /v1/deltas answered {(int)response.StatusCode}: {body[..Math.Min(body.Length, 500)]}");
    double postMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    ulong lastSequence;
    using (JsonDocument json = JsonDocument.Parse(body)) lastSequence = json.RootElement.GetProperty("lastSequence").GetUInt64();

    // Every node has applied the batch…
    var pending = new HashSet<int>(Enumerable.Range(0, nodes.Length));
    while (pending.Count > 0)
    {
        foreach (int n in pending.ToArray())
        {
            using JsonDocument ready = JsonDocument.Parse(await http.GetStringAsync(new Uri(nodes[n].Http, "/health/ready")));
            if (ready.RootElement.GetProperty("sync").GetProperty("lastApplied").GetUInt64() >= lastSequence) pending.Remove(n);
        }
        if (pending.Count == 0) break;
        if (Stopwatch.GetElapsedTime(start) > roundTimeout) Fail<int>($"round {round}: not applied by every node within {roundTimeout.TotalSeconds} s");
        Thread.Sleep(pollMs);
    }
    double appliedMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;

    // …and answers the sampled IMEI's new status over Diameter.
    for (int n = 0; n < nodes.Length; n++)
    {
        while (true)
        {
            CheckAnswer answer = probes[n].Check(sampled, "401011234567890", "localdomain", null);
            if (answer.ResultCode == 2001 && answer.EquipmentStatus == (int)EquipmentStatus.Blacklisted) break;
            if (Stopwatch.GetElapsedTime(start) > roundTimeout) Fail<int>($"round {round}: node {n} answers {sampled} with status {answer.EquipmentStatus}, not BLACKLISTED");
            Thread.Sleep(pollMs);
        }
    }
    double visibleMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;

    bool measured = round > warmup;
    Console.WriteLine(Inv($"round {round,3}{(measured ? "" : " (warm-up)")}: POST answered {postMs,7:0.0} ms, applied by all {appliedMs,7:0.0} ms, visible over Diameter {visibleMs,7:0.0} ms (sequence {lastSequence})"));
    if (!measured) continue;
    totals.Add(visibleMs);
    posts.Add(postMs);
    samples.Append(Inv($"{round - warmup}\t{postMs:0.00}\t{appliedMs:0.00}\t{visibleMs:0.00}\n"));
}

foreach (DiameterProbe probe in probes)
{
    probe.Disconnect();
    probe.Dispose();
}
if (samplesFile is not null) File.WriteAllText(samplesFile, samples.ToString());
Console.WriteLine(Inv($"RESULT n={totals.Count} lines={lines} p50_ms={Pct(totals, 50):0.0} p90_ms={Pct(totals, 90):0.0} p99_ms={Pct(totals, 99):0.0} max_ms={totals.Max():0.0} post_p50_ms={Pct(posts, 50):0.0} post_p99_ms={Pct(posts, 99):0.0}"));
return 0;

// Nearest-rank percentile.
static double Pct(List<double> values, double p)
{
    var sorted = values.Order().ToArray();
    int rank = (int)Math.Ceiling(p / 100 * sorted.Length);
    return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
}

static string ImeiOf(int block, int i) => Imei.FromKey((36_000_000UL + (ulong)block * 100) * 1_000_000UL + (ulong)i).ToString();

static string Delta(int block, int count)
{
    var csv = new StringBuilder("op,imei,list,reason,deadline\n", count * 48);
    for (int i = 0; i < count; i++)
    {
        csv.Append("set,").Append(ImeiOf(block, i)).Append(',');
        csv.Append((i % 3) switch { 0 => "white,verified,", 1 => "black,stolen,", _ => "grey,unverified,2030-12-31" }).Append('\n');
    }
    return csv.ToString();
}

static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

string? Arg(string name)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

IEnumerable<string> Args(string name)
{
    for (int i = 0; i + 1 < args.Length; i++)
        if (args[i] == name) yield return args[i + 1];
}

int IntArg(string name, int fallback) => Arg(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

static T Fail<T>(string message)
{
    Console.Error.WriteLine($"push-to-visible: {message}");
    Environment.Exit(1);
    return default!;
}
