using System.Globalization;

namespace ImeiEir.Core;

/// <summary>
/// The regime's local calendar: the configured time zone (Asia/Almaty by default), its days, and deadline dates as
/// subscribers and admins read them. Everything that asks "which day is it?" asks this one calendar: the answer
/// path's once-a-day attach reports, the registry's bare-date deadlines, the notices' dates and reminder days, the
/// lookup API's deadline text, and the tools that write dated lists.
/// <para>
/// Kazakhstan has had one zone, UTC+05:00, since 2024-03-01 (before: +06:00 in the east); tzdata 2024a knows it. A
/// machine without the zone (a slim container without tzdata), or whose tzdata is older and still gives Almaty
/// +06:00, uses the configured fixed fallback offset instead, and <see cref="Description"/> says so for the start-up log.
/// </para>
/// </summary>
public sealed class RegimeCalendar
{
    /// <summary>The regime's zone unless configured otherwise.</summary>
    public const string DefaultTimeZone = "Asia/Almaty";

    /// <summary>Kazakhstan's offset since 2024-03-01, the fallback unless configured otherwise.</summary>
    public static readonly TimeSpan DefaultFallbackUtcOffset = TimeSpan.FromHours(5);

    // Kazakhstan's switch to a single UTC+05:00 zone (government decree of 2023-12; tzdata 2024a).
    private static readonly DateTimeOffset s_almatyPlusFive = new(2024, 3, 1, 0, 0, 0, TimeSpan.FromHours(5));

    private long _today; // the current local day, packed (see LocalDayNumber)

    private RegimeCalendar(TimeZoneInfo zone, bool usesFallback, string description)
    {
        Zone = zone;
        UsesFallback = usesFallback;
        Description = description;
    }

    /// <summary>Asia/Almaty from this machine's tzdata, or +05:00 without it.</summary>
    public static RegimeCalendar Default { get; } = Create(DefaultTimeZone, DefaultFallbackUtcOffset);

    /// <summary>The zone in force (the machine's, or a fixed-offset one).</summary>
    public TimeZoneInfo Zone { get; }

    /// <summary>True when the fixed fallback offset is used.</summary>
    public bool UsesFallback { get; }

    /// <summary>One line for the start-up log: which zone and why.</summary>
    public string Description { get; }

    /// <summary>
    /// The calendar of <paramref name="timeZone"/> with this machine's time zones, or of the fixed
    /// <paramref name="fallbackUtcOffset"/> when the machine lacks the zone or has a stale Asia/Almaty.
    /// <paramref name="fallbackKey"/> is the configuration key named when the fallback is chosen.
    /// </summary>
    public static RegimeCalendar Create(string timeZone, TimeSpan fallbackUtcOffset, string fallbackKey = "Policy:FallbackUtcOffset") =>
        Create(timeZone, fallbackUtcOffset, fallbackKey, FindZone);

    /// <summary>As <see cref="Create(string, TimeSpan, string)"/> with the zone lookup given (tests pass a missing or stale zone).</summary>
    public static RegimeCalendar Create(string timeZone, TimeSpan fallbackUtcOffset, string fallbackKey, Func<string, TimeZoneInfo?> findZone)
    {
        ArgumentNullException.ThrowIfNull(timeZone);
        ArgumentNullException.ThrowIfNull(findZone);
        TimeZoneInfo? zone = findZone(timeZone);
        string fallbackName = Utc(fallbackUtcOffset);
        if (zone is null)
            return Fixed(fallbackUtcOffset, $"time zone {timeZone} is not on this machine (no tzdata?): using the fixed {fallbackName} of {fallbackKey}");

        TimeSpan afterSwitch = zone.GetUtcOffset(s_almatyPlusFive.AddDays(1));
        if (timeZone == DefaultTimeZone && afterSwitch != TimeSpan.FromHours(5))
            return Fixed(fallbackUtcOffset, $"this machine's tzdata gives {DefaultTimeZone} {Utc(afterSwitch)} after 2024-03-01 (older than tzdata 2024a): using the fixed {fallbackName} of {fallbackKey}");

        return new RegimeCalendar(zone, usesFallback: false,
            $"time zone {timeZone} from this machine's tzdata (now {Utc(zone.GetUtcOffset(DateTimeOffset.UtcNow))})");
    }

    /// <summary>The local date of an instant.</summary>
    public DateOnly LocalDate(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Zone).DateTime);

    /// <summary>The local date of a Unix time.</summary>
    public DateOnly LocalDate(long unixSeconds) => LocalDate(DateTimeOffset.FromUnixTimeSeconds(unixSeconds));

    /// <summary>The local date of a grey deadline (Unix seconds), the date the texts and the lookup print.</summary>
    public DateOnly DeadlineDate(uint deadlineUnixSeconds) => LocalDate(deadlineUnixSeconds);

    /// <summary>A deadline's local date as subscribers read it: ДД.ММ.ГГГГ.</summary>
    public string DeadlineText(uint deadlineUnixSeconds) => DeadlineDate(deadlineUnixSeconds).ToString("dd.MM.yyyy", CultureInfo.InvariantCulture);

    /// <summary>The instant of a local date and time (a time skipped by a DST jump moves forward by the jump).</summary>
    public DateTimeOffset AtLocal(DateOnly day, TimeOnly time)
    {
        DateTime local = day.ToDateTime(time, DateTimeKind.Unspecified);
        if (Zone.IsInvalidTime(local)) local = local.AddHours(1);
        return new DateTimeOffset(local, Zone.GetUtcOffset(local));
    }

    /// <summary>The first instant of a local day: what a deadline written as a bare date means.</summary>
    public DateTimeOffset StartOfDay(DateOnly day) => AtLocal(day, TimeOnly.MinValue);

    /// <summary>The first moment at local <paramref name="time"/> strictly after <paramref name="now"/>.</summary>
    public DateTimeOffset NextAt(TimeOnly time, DateTimeOffset now)
    {
        DateOnly day = LocalDate(now);
        for (int i = 0; i < 3; i++)
        {
            DateTimeOffset at = AtLocal(day.AddDays(i), time);
            if (at > now) return at;
        }
        throw new InvalidOperationException("no such local time within three days"); // unreachable: every day has it
    }

    /// <summary>
    /// The local day of <paramref name="unixSeconds"/> as a number (days since 1970-01-01 in the local calendar), for
    /// the answer path: allocation-free and lock-free. The current day's bounds are cached in one packed 64-bit word;
    /// crossing them (once a day, or a clock moved) recomputes them and publishes the new word with one write, so a
    /// reader sees either the old day or the new one, never a mix.
    /// </summary>
    public long LocalDayNumber(long unixSeconds)
    {
        long packed = Volatile.Read(ref _today);
        long start = packed & StartMask;
        long length = (packed >> LengthShift) & LengthMask;
        if ((ulong)(unixSeconds - start) < (ulong)length)
            return (start + ((packed >> OffsetShift) * 60)) / 86_400;
        return Recompute(unixSeconds);
    }

    // The packed day: bits 0-33 its first second (Unix, until 2514), bits 34-50 its length in seconds (a day of
    // 23 to 25 hours), bits 51-63 the UTC offset at its start in minutes (signed). Start + offset is local
    // midnight, a whole number of days since 1970-01-01 local. 0 is an empty day: nothing falls in it.
    private const int LengthShift = 34, OffsetShift = 51;
    private const long StartMask = (1L << LengthShift) - 1, LengthMask = (1L << (OffsetShift - LengthShift)) - 1;

    private long Recompute(long unixSeconds)
    {
        DateOnly date = LocalDate(unixSeconds);
        DateTimeOffset midnight = StartOfDay(date);
        long start = midnight.ToUnixTimeSeconds();
        long length = StartOfDay(date.AddDays(1)).ToUnixTimeSeconds() - start;
        long offsetMinutes = (long)midnight.Offset.TotalMinutes;
        long day = date.DayNumber - UnixEpochDayNumber;
        if (start >= 0 && start <= StartMask && length is > 0 and <= LengthMask)
            Volatile.Write(ref _today, start | (length << LengthShift) | (offsetMinutes << OffsetShift));
        return day;
    }

    private static readonly int UnixEpochDayNumber = DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;

    private static RegimeCalendar Fixed(TimeSpan offset, string description) =>
        new(TimeZoneInfo.CreateCustomTimeZone($"fixed{offset}", offset, description, description), usesFallback: true, description);

    private static string Utc(TimeSpan offset) => $"UTC{(offset < TimeSpan.Zero ? "-" : "+")}{offset.Duration():hh\\:mm}";

    private static TimeZoneInfo? FindZone(string id)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return null;
        }
    }
}
