namespace ImeiEir.Notify.Delivery;

/// <summary>
/// Delay before the next attempt after <c>failures</c> consecutive gateway failures: initial × 2^(failures−1), capped.
/// No jitter: one notifier talks to one gateway, so there is no herd to spread, and a deterministic schedule is
/// what the operator reads in the log.
/// </summary>
internal static class SendBackoff
{
    public static TimeSpan Delay(TimeSpan initial, TimeSpan max, int failures)
    {
        int doublings = Math.Clamp(failures - 1, 0, 40);
        double ms = Math.Min(max.TotalMilliseconds, initial.TotalMilliseconds * Math.Pow(2, doublings));
        return TimeSpan.FromMilliseconds(ms);
    }
}
