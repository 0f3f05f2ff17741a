using BenchmarkDotNet.Attributes;
using ImeiEir.Core;

namespace ImeiEir.Benchmarks;

/// <summary>The decision (docs/ARCHITECTURE.md, rules 2–7) for the common outcomes.</summary>
[MemoryDiagnoser]
public class DecisionBenchmarks
{
    private readonly DecisionPolicy _policy = DecisionPolicy.Create(new PolicyOptions());
    private readonly Imei _imei = Imei.Parse("352099001761481");
    private readonly ImeiRecord _white = new(ListKind.White, Reason.Verified);
    private readonly ImeiRecord _grey = new(ListKind.Grey, Reason.Unverified, 2_000_000_000);
    private readonly long _now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    private readonly byte[] _homeImsi = Samples.HomeImsi;
    private readonly byte[] _roamerImsi = "250011234567890"u8.ToArray();

    [Benchmark(Baseline = true)]
    public Decision White() => _policy.Decide(true, _white, _imei, ImeiParseResult.Valid, _homeImsi, _now);

    [Benchmark]
    public Decision Grey() => _policy.Decide(true, _grey, _imei, ImeiParseResult.Valid, _homeImsi, _now);

    [Benchmark]
    public Decision UnknownHome() => _policy.Decide(false, default, _imei, ImeiParseResult.Valid, _homeImsi, _now);

    [Benchmark]
    public Decision UnknownRoamer() => _policy.Decide(false, default, _imei, ImeiParseResult.Valid, _roamerImsi, _now);
}
