using ImeiEir.Core;

namespace ImeiEir.Registry;

/// <summary>
/// The local day (regime calendar) of instants that mostly fall on the same day as the one before: the last day's
/// bounds are kept, so a run of changes costs two comparisons each and a time-zone conversion only at a day's edge.
/// One owner (not thread-safe).
/// </summary>
internal sealed class LocalDayCache(RegimeCalendar calendar)
{
    private long _startMs = long.MaxValue;
    private long _endMs = long.MinValue;
    private DateOnly _day;

    /// <summary>The local day of <paramref name="unixMs"/>.</summary>
    public DateOnly DayOf(long unixMs)
    {
        if (unixMs >= _startMs && unixMs < _endMs) return _day;
        _day = calendar.LocalDate(DateTimeOffset.FromUnixTimeMilliseconds(unixMs));
        _startMs = calendar.StartOfDay(_day).ToUnixTimeMilliseconds();
        _endMs = calendar.StartOfDay(_day.AddDays(1)).ToUnixTimeMilliseconds();
        return _day;
    }
}
