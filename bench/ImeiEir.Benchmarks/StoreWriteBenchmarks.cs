using BenchmarkDotNet.Attributes;
using ImeiEir.Core;
using ImeiEir.Store;

namespace ImeiEir.Benchmarks;

/// <summary>
/// Writing records into a fresh store, as a node's snapshot bootstrap does: the ceiling of the bootstrap rate
/// (perf-baselines/sync-rates.md) on this machine, without HTTP, parsing or a registry sharing the cores. Each
/// invocation writes 1,000,000 random keys into a store sized for them (one epoch entry per 1,024 writes, as the sync
/// agent does per received buffer): a blind upsert (the bootstrap), a read then upsert (the feed's sequence guard),
/// and a <see cref="Dictionary{TKey,TValue}"/> insert as the baseline. The store's writes allocate its log pages as the
/// log grows (a few bytes per record, amortised): that is the store filling, not a per-write allocation.
/// </summary>
[MemoryDiagnoser]
public class StoreWriteBenchmarks
{
    private const int Records = 1_000_000;
    private const int Batch = 1024;

    private Imei[] _keys = null!;
    private ImeiStore? _store;
    private ImeiStoreSession? _session;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(3);
        _keys = new Imei[Records];
        for (int i = 0; i < Records; i++) _keys[i] = Imei.FromKey((ulong)random.NextInt64(10_000_000_000_000, 99_999_999_999_999));
    }

    [IterationSetup(Targets = [nameof(BlindUpsert), nameof(ReadThenUpsert)])]
    public void FreshStore()
    {
        _store = new ImeiStore(new StoreOptions { ExpectedRecords = Records });
        _session = _store.NewSession();
    }

    [IterationCleanup(Targets = [nameof(BlindUpsert), nameof(ReadThenUpsert)])]
    public void DropStore()
    {
        _session?.Dispose();
        _store?.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Records)]
    public int DictionaryInsert()
    {
        var dictionary = new Dictionary<ulong, ImeiRecord>(Records);
        for (int i = 0; i < Records; i++) dictionary[_keys[i].Key] = new ImeiRecord(ListKind.White, Reason.Verified, 0, (ulong)i + 1);
        return dictionary.Count;
    }

    [Benchmark(OperationsPerInvoke = Records)]
    public int BlindUpsert()
    {
        ImeiStoreSession session = _session!;
        for (int start = 0; start < Records; start += Batch)
        {
            session.EnterBatch();
            for (int i = start; i < start + Batch && i < Records; i++)
                session.Upsert(_keys[i], new ImeiRecord(ListKind.White, Reason.Verified, 0, (ulong)i + 1));
            session.ExitBatch();
        }
        return Records;
    }

    [Benchmark(OperationsPerInvoke = Records)]
    public int ReadThenUpsert()
    {
        ImeiStoreSession session = _session!;
        int written = 0;
        for (int start = 0; start < Records; start += Batch)
        {
            session.EnterBatch();
            for (int i = start; i < start + Batch && i < Records; i++)
            {
                if (ChangeApplier.Apply(session, new Change
                    {
                        Sequence = (ulong)i + 1, ImeiKey = _keys[i].Key, Op = ChangeOp.Set, List = ListKind.White, Reason = Reason.Verified,
                    }) == ApplyOutcome.Applied) written++;
            }
            session.ExitBatch();
        }
        return written;
    }
}
