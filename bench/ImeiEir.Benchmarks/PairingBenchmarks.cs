using BenchmarkDotNet.Attributes;
using ImeiEir.Core;
using ImeiEir.Store;
using ImeiEir.Tools.EirCtl;

namespace ImeiEir.Benchmarks;

/// <summary>
/// A lookup and decision as the node's checker makes them (docs/ARCHITECTURE.md, rule 2a): the record, the pair table
/// only when the record is paired, then the policy. An unpaired IMEI (the baseline) against a paired one attached by
/// its paired IMSI, by another home IMSI (cloned: every slot read), and one with the most pairs (8) and a clone. The
/// store holds 1M records, 10,000 of them paired with 2 IMSIs; the bytes each pair adds to the store's log are
/// printed at setup.
/// </summary>
[MemoryDiagnoser]
public class PairingBenchmarks
{
    private const int Records = 1_000_000;
    private const int PairedImeis = 10_000;

    private readonly DecisionPolicy _policy = DecisionPolicy.Create(new PolicyOptions());
    private readonly byte[] _paired = "401011111111111"u8.ToArray();
    private readonly byte[] _other = "401019999999999"u8.ToArray();
    private readonly long _now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    private ImeiStore _store = null!;
    private ImeiStoreSession _session = null!;
    private Imei _unpairedImei;
    private Imei _pairedImei;
    private Imei _fullImei;

    [GlobalSetup]
    public void Setup()
    {
        _store = Samples.Store(Records, out SyntheticKeyspace keyspace);
        _session = _store.NewSession();
        PackedImsi.TryPack(_paired, out PackedImsi first);
        long before = _store.Statistics.LogBytes;
        for (int i = 0; i < PairedImeis; i++)
        {
            Imei imei = keyspace.ImeiAt(i * 97L);
            Pair(imei, first, 1);
            Pair(imei, new PackedImsi(401_012_000_000_000UL + (ulong)i, 15), 2);
        }
        long perPair = (_store.Statistics.LogBytes - before) / (2L * PairedImeis);
        Console.WriteLine($"// PairingBenchmarks: {2 * PairedImeis:N0} pairs on {PairedImeis:N0} IMEIs add {perPair} log bytes per pair (the pair's entry; the record's flag is updated in place while the record is in the mutable region; the index is sized for {Records:N0} records)");

        _pairedImei = keyspace.ImeiAt(97L * 17);
        _unpairedImei = keyspace.ImeiAt(97L * 17 + 1);
        _fullImei = keyspace.ImeiAt(97L * 17 + 2);
        for (int slot = 0; slot < PairTable.MaxPairs; slot++) Pair(_fullImei, new PackedImsi(401_013_000_000_000UL + (ulong)slot, 15), 3 + (ulong)slot);
        if (Unpaired().Rule == DecisionRule.Cloned || PairedImsi().Rule == DecisionRule.Cloned || ClonedImsi().Rule != DecisionRule.Cloned
            || ClonedOfEight().Rule != DecisionRule.Cloned)
            throw new InvalidOperationException("PairingBenchmarks: a sample does not reach the rule its benchmark is named for");
    }

    private void Pair(Imei imei, PackedImsi imsi, ulong sequence) =>
        ChangeApplier.Apply(_session, new Change { Sequence = sequence, ImeiKey = imei.Key, Op = ChangeOp.Pair, Imsi = imsi, Origin = ChangeOrigin.Admin });

    [GlobalCleanup]
    public void Cleanup()
    {
        _session.Dispose();
        _store.Dispose();
    }

    /// <summary>What <c>EquipmentChecker</c> does before its side effects.</summary>
    private Decision Check(Imei imei, byte[] imsiUtf8)
    {
        bool found = _session.TryGet(imei, out ImeiRecord record);
        bool imsiPaired = found && record.IsPaired && PackedImsi.TryPack(imsiUtf8, out PackedImsi imsi) && _session.IsPairedWith(imei, imsi);
        return _policy.Decide(found, record, imei, ImeiParseResult.Valid, imsiUtf8, _now, null, imsiPaired);
    }

    [Benchmark(Baseline = true)]
    public Decision Unpaired() => Check(_unpairedImei, _paired);

    [Benchmark]
    public Decision PairedImsi() => Check(_pairedImei, _paired);

    [Benchmark]
    public Decision ClonedImsi() => Check(_pairedImei, _other);

    [Benchmark]
    public Decision ClonedOfEight() => Check(_fullImei, _other);
}
