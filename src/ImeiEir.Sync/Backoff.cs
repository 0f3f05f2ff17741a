namespace ImeiEir.Sync;

/// <summary>Reconnect delays: exponential from the initial delay, bounded, with "equal jitter" so nodes do not reconnect in step.</summary>
internal static class Backoff
{
    /// <summary>
    /// The delay before attempt <paramref name="failures"/> (1 = first retry): bound = min(max, initial × 2^(failures−1)),
    /// delay drawn uniformly from [bound/2, bound]. <paramref name="unit"/> is a uniform sample in [0, 1).
    /// </summary>
    public static TimeSpan Delay(TimeSpan initial, TimeSpan max, int failures, double unit)
    {
        int doublings = Math.Clamp(failures - 1, 0, 30);
        double bound = Math.Min(max.TotalMilliseconds, initial.TotalMilliseconds * Math.Pow(2, doublings));
        return TimeSpan.FromMilliseconds(bound * (0.5 + 0.5 * unit));
    }
}
