using BenchmarkDotNet.Attributes;
using ImeiEir.Core;
using ImeiEir.Core.Tac;

namespace ImeiEir.Benchmarks;

/// <summary>
/// The decision of an unknown IMEI from a home subscriber without and with a TAC database of a GSMA-like size
/// (docs/ARCHITECTURE.md, rules 4 and 5 by the TAC database): the binary search over the sorted TACs and the
/// device-type check. The table's retained bytes per TAC are printed at setup (measured with a full GC).
/// </summary>
[MemoryDiagnoser]
public class TacBenchmarks
{
    private const int Tacs = 200_000;

    private readonly DecisionPolicy _plain = DecisionPolicy.Create(new PolicyOptions());
    private readonly DecisionPolicy _strict = DecisionPolicy.Create(new PolicyOptions { RequireKnownTac = true, ExemptDeviceTypes = ["Module", "IoT Device"] });
    private readonly byte[] _homeImsi = Samples.HomeImsi;
    private readonly long _now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    private TacTable _table = null!;
    private Imei _knownPhone;
    private Imei _knownModule;
    private Imei _unknown;

    [GlobalSetup]
    public void Setup()
    {
        // Measured around the build from parsed entries that are then dropped, as a node holds it: the arrays and
        // the distinct strings the table keeps.
        long before = GC.GetTotalMemory(forceFullCollection: true);
        _table = BuildTable();
        long after = GC.GetTotalMemory(forceFullCollection: true);
        Console.WriteLine($"// TacBenchmarks: {Tacs:N0} TACs retain {after - before:N0} bytes, {(double)(after - before) / Tacs:F1} bytes per TAC (layout estimate {_table.BytesPerTac:F1})");
        _knownPhone = Imei.FromKey((35_000_000UL + 123_456 * 5) * 1_000_000 + 17);          // i % 10 == 6: Smartphone
        _knownModule = Imei.FromKey((35_000_000UL + 123_450 * 5) * 1_000_000 + 17);          // i % 10 == 0: Module
        _unknown = Imei.FromKey((35_000_000UL + 123_456 * 5 + 1) * 1_000_000 + 17);          // between two TACs
        if (KnownTac().Rule != DecisionRule.UnknownProvisionalGrey || ExemptDeviceType().Rule != DecisionRule.ExemptM2m
            || UnknownTac().Rule != DecisionRule.InvalidImei)
            throw new InvalidOperationException("TacBenchmarks: a sample IMEI does not reach the rule its benchmark is named for");
    }

    private static TacTable BuildTable()
    {
        // TACs spread over 35000000-35999999 every 5th; a few thousand manufacturers, models shared by a few TACs each.
        TacEntry[] entries = [.. Enumerable.Range(0, Tacs).Select(i => new TacEntry(
            (uint)(35_000_000 + i * 5), $"Maker {i % 3_000}", $"Model {i % 80_000} {(i % 7 == 0 ? "Pro" : "")}".TrimEnd(),
            (i % 10) switch { 0 => "Module", 1 => "IoT Device", 2 => "Tablet", 3 => "Feature phone", _ => "Smartphone" }))];
        return TacTable.Build("1-0123456789abcdef", entries);
    }

    [Benchmark(Baseline = true)]
    public Decision NoTable() => _plain.Decide(false, default, _knownPhone, ImeiParseResult.Valid, _homeImsi, _now);

    [Benchmark]
    public Decision KnownTac() => _strict.Decide(false, default, _knownPhone, ImeiParseResult.Valid, _homeImsi, _now, _table);

    [Benchmark]
    public Decision ExemptDeviceType() => _strict.Decide(false, default, _knownModule, ImeiParseResult.Valid, _homeImsi, _now, _table);

    [Benchmark]
    public Decision UnknownTac() => _strict.Decide(false, default, _unknown, ImeiParseResult.Valid, _homeImsi, _now, _table);
}
