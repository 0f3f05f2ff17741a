using System.Buffers;
using BenchmarkDotNet.Attributes;
using ImeiEir.Core;
using ImeiEir.Diameter;

namespace ImeiEir.Benchmarks;

/// <summary>Parse and write of every message type the EIR handles, server side and client side. No sockets.</summary>
[MemoryDiagnoser]
public class CodecBenchmarks
{
    private readonly byte[] _ecr = Samples.Ecr(Imei.Parse("352099001761481"), 7);
    private readonly byte[] _cer = Samples.Cer();
    private readonly byte[] _dwr = new byte[256];
    private byte[] _eca = new byte[4096];
    private readonly byte[] _destination = new byte[8192];
    private ReadOnlySequence<byte> _ecrSequence;
    private DiameterHeader _ecrHeader;
    private DiameterHeader _dwrHeader;

    [GlobalSetup]
    public void Setup()
    {
        _ecrSequence = new ReadOnlySequence<byte>(_ecr);
        DiameterHeader.TryRead(_ecr, out _ecrHeader);
        int n = BaseMessages.WriteDwr(_dwr, Samples.Mme, 1, 1);
        DiameterHeader.TryRead(_dwr.AsSpan(0, n), out _dwrHeader);
        S13Messages.TryParseEcr(_ecr, out EcrView ecr, out _);
        int length = S13Messages.WriteEca(_eca, _ecr, ecr, Samples.Eir, 0);
        Array.Resize(ref _eca, length);
    }

    [Benchmark]
    public FrameStatus ScanFrame() => FrameScanner.TryScan(_ecrSequence, 65536, out _, out _);

    [Benchmark(Baseline = true)]
    public bool ParseEcr() => S13Messages.TryParseEcr(_ecr, out _, out _);

    [Benchmark]
    public int WriteEca()
    {
        S13Messages.TryParseEcr(_ecr, out EcrView ecr, out _);
        return S13Messages.WriteEca(_destination, _ecr, ecr, Samples.Eir, 0);
    }

    [Benchmark]
    public int WriteEcr() => S13Messages.WriteEcr(_destination, Samples.Mme, "mme;1;1"u8, "localdomain"u8, default,
        "35209900176148"u8, default, Samples.HomeImsi, 1, 1);

    [Benchmark]
    public int ParseEca() => S13Messages.TryParseEca(_eca, out EcaView eca) ? eca.EquipmentStatus : -1;

    [Benchmark]
    public bool ParseCer() => BaseMessages.TryParseCer(_cer, out _, out _);

    [Benchmark]
    public int WriteCea() => BaseMessages.WriteCea(_destination, _ecrHeader, Samples.Eir, ResultCodes.Success);

    [Benchmark]
    public int WriteDwa() => BaseMessages.WriteDwa(_destination, _dwrHeader, Samples.Eir);

    [Benchmark]
    public int WriteProtocolError() => BaseMessages.WriteProtocolErrorAnswer(_destination, _ecr, Samples.Eir, ResultCodes.CommandUnsupported);
}
