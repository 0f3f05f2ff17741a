namespace ImeiEir.Core;

/// <summary>
/// The clock of the regime and its calendar: decisions (is the grace period over?), sighting times, deadlines, expiry
/// and notice days read it. Kept apart from the clock of the machinery (watchdogs, back-off, heartbeats, checkpoints) so a test
/// can move the regime days ahead while connections keep running in real time.
/// </summary>
public sealed class RegimeClock
{
    /// <param name="time">The time source.</param>
    /// <param name="calendar">The regime's days; default <see cref="RegimeCalendar.Default"/> (Asia/Almaty).</param>
    public RegimeClock(TimeProvider time, RegimeCalendar? calendar = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        Time = time;
        Calendar = calendar ?? RegimeCalendar.Default;
    }

    /// <summary>The system clock.</summary>
    public static RegimeClock System { get; } = new(TimeProvider.System);

    public TimeProvider Time { get; }

    /// <summary>The calendar whose days and dates this clock's times are read in.</summary>
    public RegimeCalendar Calendar { get; }

    public DateTimeOffset Now => Time.GetUtcNow();

    public long NowUnixSeconds => Time.GetUtcNow().ToUnixTimeSeconds();
}
