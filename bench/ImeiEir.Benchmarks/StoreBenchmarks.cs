using BenchmarkDotNet.Attributes;
using ImeiEir.Core;
using ImeiEir.Store;

namespace ImeiEir.Benchmarks;

/// <summary>
/// Lookup of a random present IMEI in the FASTER store, against a <see cref="Dictionary{TKey,TValue}"/> of the same
/// records (the baseline: what a plain in-process map costs). 1,024 random keys per invocation, so the figure is per
/// lookup and the keys' cache misses are real at 10M records.
/// </summary>
[MemoryDiagnoser]
public class StoreBenchmarks
{
    private const int Batch = 1024;

    private ImeiStore _store = null!;
    private ImeiStoreSession _session = null!;
    private Dictionary<ulong, ImeiRecord> _dictionary = null!;
    private Imei[] _keys = null!;

    [Params(1_000_000, 10_000_000)]
    public int Records { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _store = Samples.Store(Records, out var keyspace);
        _session = _store.NewSession();
        _dictionary = new Dictionary<ulong, ImeiRecord>(Records);
        for (long i = 0; i < Records; i++)
        {
            Imei imei = keyspace.ImeiAt(i);
            _session.TryGet(imei, out ImeiRecord record);
            _dictionary[imei.Key] = record;
        }
        var random = new Random(7);
        _keys = new Imei[Batch * 64];
        for (int i = 0; i < _keys.Length; i++) _keys[i] = keyspace.ImeiAt(random.NextInt64(Records));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _session.Dispose();
        _store.Dispose();
    }

    private int _next;

    [Benchmark(Baseline = true, OperationsPerInvoke = Batch)]
    public int DictionaryLookup()
    {
        int found = 0;
        int start = (_next = (_next + Batch) % _keys.Length);
        for (int i = 0; i < Batch; i++)
            if (_dictionary.TryGetValue(_keys[start + i].Key, out ImeiRecord record) && record.List != ListKind.None) found++;
        return found;
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public int StoreLookupInBatch()
    {
        int found = 0;
        int start = (_next = (_next + Batch) % _keys.Length);
        _session.EnterBatch();
        for (int i = 0; i < Batch; i++)
            if (_session.TryGet(_keys[start + i], out ImeiRecord record) && record.List != ListKind.None) found++;
        _session.ExitBatch();
        return found;
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public int StoreLookup()
    {
        int found = 0;
        int start = (_next = (_next + Batch) % _keys.Length);
        for (int i = 0; i < Batch; i++)
            if (_session.TryGet(_keys[start + i], out ImeiRecord record) && record.List != ListKind.None) found++;
        return found;
    }
}
