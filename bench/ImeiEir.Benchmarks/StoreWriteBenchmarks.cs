using BenchmarkDotNet.Attributes;
using ImeiEir.Core;
using ImeiEir.Store;

namespace ImeiEir.Benchmarks;

/// <summary>
/// Writing records into a fresh store, as a node's snapshot bootstrap does: the ceiling of the bootstrap rate
/// (perf-baselines/sync-rates.md) on this machine, without HTTP, parsing or a registry sharing the cores. Each
/// invocation writes <see cref="Records"/> random keys into a store sized for them (one epoch entry per 1,024 writes,
/// as the sync agent does per received buffer): a blind upsert (the bootstrap), a read then upsert (the feed's
/// sequence guard), each also with the hash bucket prefetched <see cref="ImeiStoreSession.PrefetchDistance"/> writes
/// ahead through a <see cref="PrefetchWindow{T}"/> (what the sync agent does), and a
/// <see cref="Dictionary{TKey,TValue}"/> insert as the baseline; the store with and without its index on huge pages.
/// At 10M records the index (256 MiB) is far larger than the caches, as a node's is. The store's writes allocate its
/// log pages as the log grows (a few bytes per record, amortised): that is the store filling, not a per-write
/// allocation. Times and allocations are per invocation (all <see cref="Records"/> writes): OperationsPerInvoke must
/// be a constant, and the ratios within one <see cref="Records"/> are what compare.
/// </summary>
[MemoryDiagnoser]
public class StoreWriteBenchmarks
{
    private const int Batch = 1024;

    [Params(1_000_000, 10_000_000)]
    public int Records { get; set; }

    [Params(false, true)]
    public bool HugePageIndex { get; set; }

    private Imei[] _keys = null!;
    private ImeiStore? _store;
    private ImeiStoreSession? _session;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(3);
        _keys = new Imei[Records];
        for (int i = 0; i < _keys.Length; i++) _keys[i] = Imei.FromKey((ulong)random.NextInt64(10_000_000_000_000, 99_999_999_999_999));
    }

    [IterationSetup(Targets = [nameof(BlindUpsert), nameof(PrefetchedBlindUpsert), nameof(ReadThenUpsert), nameof(PrefetchedReadThenUpsert)])]
    public void FreshStore()
    {
        _store = new ImeiStore(new StoreOptions { ExpectedRecords = Records, HugePageIndex = HugePageIndex });
        _session = _store.NewSession();
    }

    [IterationCleanup(Targets = [nameof(BlindUpsert), nameof(PrefetchedBlindUpsert), nameof(ReadThenUpsert), nameof(PrefetchedReadThenUpsert)])]
    public void DropStore()
    {
        _session?.Dispose();
        _store?.Dispose();
    }

    [Benchmark(Baseline = true)]
    public int DictionaryInsert()
    {
        var dictionary = new Dictionary<ulong, ImeiRecord>(Records);
        for (int i = 0; i < Records; i++) dictionary[_keys[i].Key] = new ImeiRecord(ListKind.White, Reason.Verified, 0, (ulong)i + 1);
        return dictionary.Count;
    }

    [Benchmark]
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

    [Benchmark]
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

    [Benchmark]
    public int PrefetchedBlindUpsert()
    {
        ImeiStoreSession session = _session!;
        var window = new PrefetchWindow<int>();
        for (int start = 0; start < Records; start += Batch)
        {
            session.EnterBatch();
            for (int i = start; i < start + Batch && i < Records; i++)
            {
                session.Prefetch(_keys[i]);
                if (window.Push(i, out int due)) Write(session, due);
            }
            while (window.TryTake(out int due)) Write(session, due);
            session.ExitBatch();
        }
        return Records;

        void Write(ImeiStoreSession s, int i) => s.Upsert(_keys[i], new ImeiRecord(ListKind.White, Reason.Verified, 0, (ulong)i + 1));
    }

    [Benchmark]
    public int PrefetchedReadThenUpsert()
    {
        ImeiStoreSession session = _session!;
        var window = new PrefetchWindow<int>();
        int written = 0;
        for (int start = 0; start < Records; start += Batch)
        {
            session.EnterBatch();
            for (int i = start; i < start + Batch && i < Records; i++)
            {
                session.Prefetch(_keys[i]);
                if (window.Push(i, out int due)) written += Apply(session, due);
            }
            while (window.TryTake(out int due)) written += Apply(session, due);
            session.ExitBatch();
        }
        return written;

        int Apply(ImeiStoreSession s, int i) => ChangeApplier.Apply(s, new Change
        {
            Sequence = (ulong)i + 1, ImeiKey = _keys[i].Key, Op = ChangeOp.Set, List = ListKind.White, Reason = Reason.Verified,
        }) == ApplyOutcome.Applied ? 1 : 0;
    }
}
