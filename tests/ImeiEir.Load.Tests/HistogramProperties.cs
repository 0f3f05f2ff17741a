using FsCheck;
using FsCheck.Fluent;
using ImeiEir.Tools.EirLoad;

namespace ImeiEir.Load.Tests;

/// <summary>The log-linear histogram against exact percentiles of the sorted samples.</summary>
public sealed class HistogramProperties
{
    private static readonly double[] Percentiles = [0, 1, 25, 50, 75, 90, 99, 99.9, 99.99, 100];

    // Latency-like values: mostly microseconds to milliseconds in nanoseconds, some tiny, some huge.
    private static readonly Gen<long> Values = Gen.OneOf(
        Gen.Choose(0, 300).Select(v => (long)v),
        Gen.Choose(1_000, 5_000_000).Select(v => (long)v),
        from v in Gen.Choose(0, int.MaxValue) from m in Gen.Choose(1, 1 << 20) select (long)v * m);

    [FsCheck.NUnit.Property(MaxTest = 200)]
    public Property Percentile_is_the_exact_one_within_bucket_precision() => Prop.ForAll(
        Gen.NonEmptyListOf(Values).Select(l => l.ToArray()).ToArbitrary(),
        samples =>
        {
            var histogram = new LatencyHistogram();
            foreach (long v in samples) histogram.Record(v);
            long[] sorted = [.. samples.Order()];
            foreach (double p in Percentiles)
            {
                long rank = Math.Max(1, (long)Math.Ceiling(p / 100.0 * sorted.Length));
                long exact = sorted[rank - 1];
                long reported = histogram.ValueAtPercentile(p);
                // Never below the true value, above it by at most one bucket width (1/128 of the value).
                if (reported < exact || reported > exact + (long)(exact * LatencyHistogram.RelativePrecision)) return false;
            }
            return histogram.Count == sorted.Length && histogram.Max == sorted[^1] && histogram.Min == sorted[0];
        });

    [FsCheck.NUnit.Property(MaxTest = 300)]
    public Property Buckets_tile_the_values_without_gaps() => Prop.ForAll(
        Gen.Choose(0, 7000).ToArbitrary(),
        index => LatencyHistogram.LowestEquivalent(index + 1) == LatencyHistogram.HighestEquivalent(index) + 1
                 && LatencyHistogram.IndexOf(LatencyHistogram.LowestEquivalent(index)) == index
                 && LatencyHistogram.IndexOf(LatencyHistogram.HighestEquivalent(index)) == index);

    [Test]
    public void Small_values_are_exact_and_merging_adds_up()
    {
        var a = new LatencyHistogram();
        var b = new LatencyHistogram();
        for (int v = 1; v <= 100; v++) (v % 2 == 0 ? a : b).Record(v);
        a.Add(b);
        Assert.That(a.Count, Is.EqualTo(100));
        Assert.That(a.ValueAtPercentile(50), Is.EqualTo(50));
        Assert.That(a.ValueAtPercentile(99), Is.EqualTo(99));
        Assert.That(a.ValueAtPercentile(100), Is.EqualTo(100));
        Assert.That(a.Mean, Is.EqualTo(50.5));
    }

    [Test]
    public void Largest_value_does_not_overflow()
    {
        var h = new LatencyHistogram();
        h.Record(long.MaxValue);
        h.Record(-5); // clamped to 0
        Assert.That(h.ValueAtPercentile(100), Is.EqualTo(long.MaxValue));
        Assert.That(h.ValueAtPercentile(50), Is.EqualTo(0));
    }
}
