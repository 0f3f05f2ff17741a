using BenchmarkDotNet.Attributes;
using ImeiEir.Core;
using ImeiEir.Diameter;
using ImeiEir.Node.Checking;
using ImeiEir.Node.Diameter;
using ImeiEir.Store;

namespace ImeiEir.Benchmarks;

/// <summary>
/// One ECR in, its ECA out, through the server's <see cref="S13Responder"/> (parse, IMEI, lookup, decision, write)
/// over a store of 1M records; no sockets, no pipes. 1,024 distinct pre-encoded ECRs per invocation, random keys.
/// Must allocate nothing per ECR (docs/ARCHITECTURE.md, convention 15).
/// </summary>
[MemoryDiagnoser]
public class EndToEndBenchmarks
{
    private const int Batch = 1024;
    private const int Records = 1_000_000;

    private ImeiStore _store = null!;
    private S13Responder _responder = null!;
    private byte[][] _requests = null!;
    private readonly byte[] _answer = new byte[8192];

    [GlobalSetup]
    public void Setup()
    {
        _store = Samples.Store(Records, out var keyspace);
        _responder = new S13Responder(new EquipmentChecker(_store.NewSession(), DecisionPolicy.Create(new PolicyOptions()),
            RegimeClock.System, new SightingQueue(1 << 16), new AttachFilter(1 << 18)), Samples.Eir);
        var random = new Random(11);
        _requests = new byte[Batch][];
        for (int i = 0; i < Batch; i++)
            _requests[i] = Samples.Ecr(keyspace.ImeiAt(random.NextInt64(Records)), (uint)i);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _responder.Dispose();
        _store.Dispose();
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public int EcrToEca()
    {
        int bytes = 0;
        byte[][] requests = _requests;
        for (int i = 0; i < requests.Length; i++)
            bytes += _responder.Answer(requests[i], _answer, out _);
        return bytes;
    }

    /// <summary>As the server runs it: one store epoch entry per read batch (here per 1,024 ECRs).</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int EcrToEcaInBatch()
    {
        int bytes = 0;
        byte[][] requests = _requests;
        _responder.EnterBatch();
        for (int i = 0; i < requests.Length; i++)
            bytes += _responder.Answer(requests[i], _answer, out _);
        _responder.ExitBatch();
        return bytes;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Batch)]
    public int ParseOnly()
    {
        int ok = 0;
        byte[][] requests = _requests;
        for (int i = 0; i < requests.Length; i++)
            if (S13Messages.TryParseEcr(requests[i], out _, out _)) ok++;
        return ok;
    }
}
