using System.Numerics;

namespace ImeiEir.Tools.EirLoad;

/// <summary>
/// An HDR-style log-linear histogram of non-negative values (eirload records nanoseconds). Values below
/// 2^<see cref="SubBucketBits"/> are counted exactly; above, each power-of-two range is split into
/// 2^(<see cref="SubBucketBits"/>-1) equal buckets, so a reported value is within 1/128 (0.8 %) of the true one.
/// Recording is one array increment: no allocation, no lock; one histogram per connection, merged at the end.
/// <code>
/// index:  0 .. 255            | 256 .. 383        | 384 .. 511        | ...
/// values: 0 .. 255 (exact)    | 256 .. 511 step 2 | 512 .. 1023 step 4| ... step 2^e
/// </code>
/// </summary>
internal sealed class LatencyHistogram
{
    /// <summary>log2 of the number of exact values; 8 gives 128 buckets per power of two.</summary>
    public const int SubBucketBits = 8;

    private const int SubBucketCount = 1 << SubBucketBits;       // S
    private const int HalfCount = SubBucketCount / 2;            // H
    private const int MaxExponent = 63 - SubBucketBits + 1;       // for long.MaxValue (floor log2 = 62)

    private readonly long[] _counts = new long[(MaxExponent + 1) * HalfCount + SubBucketCount];
    private long _total;
    private long _min = long.MaxValue;
    private long _max;
    private double _sum;

    public long Count => _total;

    public long Min => _total == 0 ? 0 : _min;

    public long Max => _max;

    public double Mean => _total == 0 ? 0 : _sum / _total;

    /// <summary>Relative precision: a reported percentile v' of a true value v satisfies v ≤ v' ≤ v + v / 128.</summary>
    public static double RelativePrecision => 1.0 / HalfCount;

    public void Record(long value)
    {
        if (value < 0) value = 0;
        _counts[IndexOf(value)]++;
        _total++;
        _sum += value;
        if (value < _min) _min = value;
        if (value > _max) _max = value;
    }

    public void Add(LatencyHistogram other)
    {
        for (int i = 0; i < _counts.Length; i++) _counts[i] += other._counts[i];
        _total += other._total;
        _sum += other._sum;
        if (other._total > 0)
        {
            _min = Math.Min(_min, other._min);
            _max = Math.Max(_max, other._max);
        }
    }

    public void Reset()
    {
        Array.Clear(_counts);
        _total = 0;
        _sum = 0;
        _min = long.MaxValue;
        _max = 0;
    }

    /// <summary>
    /// The value at <paramref name="percentile"/> (0 to 100): the largest value equivalent to the bucket holding
    /// the sample of rank max(1, ⌈p/100 · n⌉) in sorted order, capped at the maximum recorded. 0 when empty.
    /// </summary>
    public long ValueAtPercentile(double percentile)
    {
        if (_total == 0) return 0;
        long rank = Math.Max(1, (long)Math.Ceiling(Math.Clamp(percentile, 0, 100) / 100.0 * _total));
        long seen = 0;
        for (int i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank) return Math.Min(HighestEquivalent(i), _max);
        }
        return _max;
    }

    internal static int IndexOf(long value)
    {
        if (value < SubBucketCount) return (int)value;
        int exponent = BitOperations.Log2((ulong)value) - (SubBucketBits - 1); // ≥ 1
        int sub = (int)(value >> exponent);                                    // in [H, S)
        return exponent * HalfCount + sub;
    }

    internal static long LowestEquivalent(int index)
    {
        if (index < SubBucketCount) return index;
        int exponent = index / HalfCount - 1;
        int sub = index - exponent * HalfCount;
        return (long)sub << exponent;
    }

    internal static long HighestEquivalent(int index)
    {
        if (index < SubBucketCount) return index;
        int exponent = index / HalfCount - 1;
        long lowest = LowestEquivalent(index);
        long width = 1L << exponent;
        return lowest > long.MaxValue - width ? long.MaxValue : lowest + width - 1;
    }
}
