using BenchmarkDotNet.Attributes;
using ImeiEir.Core;

namespace ImeiEir.Benchmarks;

/// <summary>IMEI text → packed key: 15 digits (Luhn check) and 14 digits (what S13 carries), against ulong.TryParse.</summary>
[MemoryDiagnoser]
public class ImeiBenchmarks
{
    private readonly byte[] _fifteen = "352099001761481"u8.ToArray();
    private readonly byte[] _fourteen = "35209900176148"u8.ToArray();

    [Benchmark(Baseline = true)]
    public ulong Utf8ParserUInt64()
    {
        System.Buffers.Text.Utf8Parser.TryParse(_fourteen, out ulong value, out _);
        return value;
    }

    [Benchmark]
    public ImeiParseResult Parse14() => Imei.TryParse(_fourteen, out _);

    [Benchmark]
    public ImeiParseResult Parse15WithCheckDigit() => Imei.TryParse(_fifteen, out _);
}
