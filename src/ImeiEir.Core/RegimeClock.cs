namespace ImeiEir.Core;

/// <summary>
/// The clock of the regime: decisions (is the grace period over?), sighting times, deadlines, expiry and notice
/// days read it. Kept apart from the clock of the machinery (watchdogs, back-off, heartbeats, checkpoints) so a test
/// can move the regime days ahead while connections keep running in real time.
/// </summary>
public sealed class RegimeClock
{
    public RegimeClock(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        Time = time;
    }

    /// <summary>The system clock.</summary>
    public static RegimeClock System { get; } = new(TimeProvider.System);

    public TimeProvider Time { get; }

    public DateTimeOffset Now => Time.GetUtcNow();

    public long NowUnixSeconds => Time.GetUtcNow().ToUnixTimeSeconds();
}
