using System.Diagnostics;

namespace ImeiEir.Node.Observability;

/// <summary>
/// The request-latency histogram's bucket bounds, in seconds and in <see cref="Stopwatch"/> ticks. From 5 µs (an
/// in-memory S13 answer) to 1 s (an HTTP request stuck behind a full thread pool).
/// </summary>
internal static class LatencyBuckets
{
    public static readonly double[] UpperBoundsSeconds =
        [5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2, 5e-2, 0.1, 0.25, 0.5, 1];

    private static readonly long[] s_upperBoundsTicks =
        UpperBoundsSeconds.Select(s => (long)Math.Ceiling(s * Stopwatch.Frequency)).ToArray();

    /// <summary>Buckets including the last, unbounded one.</summary>
    public static int Count => UpperBoundsSeconds.Length + 1;

    /// <summary>The bucket of a duration in Stopwatch ticks: the first whose upper bound is not below it.</summary>
    public static int IndexOf(long ticks)
    {
        long[] bounds = s_upperBoundsTicks;
        int i = 0;
        while (i < bounds.Length && ticks > bounds[i]) i++;
        return i;
    }

    /// <summary>A value inside bucket <paramref name="index"/>, as close to <paramref name="seconds"/> as allowed.</summary>
    public static double ClampInto(int index, double seconds)
    {
        double lower = index == 0 ? 0 : UpperBoundsSeconds[index - 1];
        double upper = index < UpperBoundsSeconds.Length ? UpperBoundsSeconds[index] : double.MaxValue;
        // The lower bound itself belongs to the bucket below (le is inclusive): nudge above it.
        return Math.Clamp(seconds, index == 0 ? 0 : Math.BitIncrement(lower), upper);
    }
}
