using System.CommandLine;
using System.Globalization;
using System.Net;
using ImeiEir.Core;
using ImeiEir.Tools.EirCtl;
using ImeiEir.Tools.EirLoad;

// eirload: an S13 ME-Identity-Check load generator. Exit codes: 0 every request got its expected answer,
// 1 bad arguments, 3 the EIR could not be reached or refused the CER, 4 errors, timeouts or mismatches.

// First, before anything opens a socket: the runtime reads this when its socket engine starts.
SocketCompletions.PreferInline();

var target = new Option<string>("--diameter") { Description = "The EIR's Diameter endpoint, HOST:PORT", DefaultValueFactory = _ => "127.0.0.1:3868" };
var connections = new Option<int>("--connections", "-c") { Description = "TCP connections (Diameter peers)", DefaultValueFactory = _ => 1 };
var depth = new Option<int>("--depth", "-P") { Description = "Requests in flight per connection (pipeline depth)", DefaultValueFactory = _ => 1 };
var duration = new Option<double?>("--duration", "-d") { Description = "Seconds to send for (default 10 when --count is not given)" };
var count = new Option<long?>("--count", "-n") { Description = "Total requests over all connections" };
var rate = new Option<double?>("--rate") { Description = "Open loop: requests per second over all connections (default: closed loop, as fast as answers come)" };
var tick = new Option<int?>("--tick-us") { Description = "Open loop: microseconds between the pacer's wake-ups, each writing what has fallen due (default 100; longer above 50k requests/s, up to 1000, to keep the writes near 50k/s)" };
var warmup = new Option<double>("--warmup") { Description = "Seconds at the start kept out of latency and throughput", DefaultValueFactory = _ => 0 };
var timeout = new Option<double>("--timeout") { Description = "Seconds an answer may take before outstanding requests count as timeouts", DefaultValueFactory = _ => 5 };
var imeis = new Option<string?>("--imeis") { Description = "IMEI file: an initial-lists CSV (expected answers from its lists) or one IMEI per line" };
var keys = new Option<long>("--keys") { Description = "Synthetic keyspace size: the --count of `eirctl gen`", DefaultValueFactory = _ => 1_000_000 };
var mix = new Option<string>("--mix") { Description = "Synthetic keyspace mix, as given to `eirctl gen`", DefaultValueFactory = _ => ListMix.Default.ToString() };
var seed = new Option<ulong>("--seed") { Description = "Synthetic keyspace seed, as given to `eirctl gen`; also seeds the key choice", DefaultValueFactory = _ => 1 };
var expectUnknown = new Option<string>("--expect-unknown")
{
    Description = "Answer expected for unknown keys: greylisted (default policy), whitelisted, blacklisted, equipment-unknown (5422) or any",
    DefaultValueFactory = _ => "greylisted",
};
var listsDate = new Option<string?>("--lists-date")
{
    Description = "Synthetic keyspace: the date (yyyy-MM-dd, Asia/Almaty) `eirctl gen` wrote the lists, which dates their grey deadlines (default: today there)",
};
var imsi = new Option<string?>("--imsi") { Description = "User-Name (IMSI) sent in every ECR (default: none)" };
var originHost = new Option<string>("--origin-host") { Description = "Our Origin-Host", DefaultValueFactory = _ => "eirload.localdomain" };
var realm = new Option<string>("--realm") { Description = "Origin-Realm and Destination-Realm", DefaultValueFactory = _ => "localdomain" };
var json = new Option<bool>("--json") { Description = "Print the report as JSON" };

var root = new RootCommand("eirload: S13 ME-Identity-Check load generator (closed or open loop, latency from an HDR-style histogram)")
{
    target, connections, depth, duration, count, rate, tick, warmup, timeout, imeis, keys, mix, seed, listsDate, expectUnknown, imsi, originHost, realm, json,
};
root.SetAction(async (parse, cancel) =>
{
    string? problem = null;
    if (!IPEndPoint.TryParse(parse.GetValue(target)!, out IPEndPoint? endpoint) || endpoint.Port == 0)
        problem = $"--diameter '{parse.GetValue(target)}' is not HOST:PORT";
    int c = parse.GetValue(connections), p = parse.GetValue(depth);
    if (c is < 1 or > 10_000) problem ??= "--connections must be 1 to 10000";
    if (p is < 1 or > 65_536) problem ??= "--depth must be 1 to 65536";
    double? seconds = parse.GetValue(duration);
    long? total = parse.GetValue(count);
    if (seconds is <= 0) problem ??= "--duration must be positive";
    if (total is < 1) problem ??= "--count must be at least 1";
    if (seconds is null && total is null) seconds = 10; // always bounded
    double? perSecond = parse.GetValue(rate);
    if (perSecond is <= 0) problem ??= "--rate must be positive";
    if (parse.GetValue(tick) is < 1 or > 100_000) problem ??= "--tick-us must be 1 to 100000";
    if (parse.GetValue(warmup) < 0 || parse.GetValue(timeout) <= 0) problem ??= "--warmup must be ≥ 0 and --timeout > 0";
    sbyte unknown = parse.GetValue(expectUnknown)!.ToLowerInvariant() switch
    {
        "greylisted" or "grey" => (sbyte)EquipmentStatus.Greylisted,
        "whitelisted" or "white" => (sbyte)EquipmentStatus.Whitelisted,
        "blacklisted" or "black" => (sbyte)EquipmentStatus.Blacklisted,
        "equipment-unknown" or "5422" => RequestSource.ExpectEquipmentUnknown,
        "any" => RequestSource.NoExpectation,
        _ => sbyte.MinValue,
    };
    if (unknown == sbyte.MinValue) problem ??= $"--expect-unknown '{parse.GetValue(expectUnknown)}' is not greylisted, whitelisted, blacklisted, equipment-unknown or any";

    RequestSource? source = null;
    if (problem is null)
    {
        try
        {
            if (parse.GetValue(imeis) is { } file)
                source = RequestSource.FromFile(file);
            else if (!ListMix.TryParse(parse.GetValue(mix)!, out ListMix m, out string? why))
                problem = $"--mix: {why}";
            else if (parse.GetValue(keys) is < 1 or > SyntheticKeyspace.MaxKeys)
                problem = $"--keys must be 1 to {SyntheticKeyspace.MaxKeys}";
            else if (parse.GetValue(listsDate) is not { } d)
                source = RequestSource.Synthetic(parse.GetValue(keys), parse.GetValue(seed), m, unknown, RequestSource.TodayInAlmaty());
            else if (DateOnly.TryParseExact(d, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out DateOnly day))
                source = RequestSource.Synthetic(parse.GetValue(keys), parse.GetValue(seed), m, unknown, day);
            else
                problem = $"--lists-date '{d}' is not a date yyyy-MM-dd";
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
        {
            problem = e.Message;
        }
    }
    if (problem is not null)
    {
        Console.Error.WriteLine($"eirload: {problem}");
        return 1;
    }

    var options = new LoadOptions
    {
        Target = endpoint!,
        Connections = c,
        Depth = p,
        Duration = seconds is { } s ? TimeSpan.FromSeconds(s) : null,
        Count = total,
        Rate = perSecond,
        Tick = parse.GetValue(tick) is { } us ? TimeSpan.FromMicroseconds(us) : null,
        Warmup = TimeSpan.FromSeconds(parse.GetValue(warmup)),
        Timeout = TimeSpan.FromSeconds(parse.GetValue(timeout)),
        Source = source!,
        Imsi = parse.GetValue(imsi),
        OriginHost = parse.GetValue(originHost)!,
        Realm = parse.GetValue(realm)!,
        Seed = parse.GetValue(seed),
    };
    try
    {
        LoadReport report = await LoadRunner.RunAsync(options, cancel);
        Console.Out.Write(parse.GetValue(json) ? report.ToJson() + "\n" : report.ToText());
        return report.Clean ? 0 : 4;
    }
    catch (LoadException e)
    {
        Console.Error.WriteLine($"eirload: {e.Message}");
        return 3;
    }
});
return await root.Parse(args).InvokeAsync();
