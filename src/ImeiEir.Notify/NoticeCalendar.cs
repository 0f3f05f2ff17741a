namespace ImeiEir.Notify;

/// <summary>
/// Local time of the notices: the date printed as ДД.ММ.ГГГГ, the local day of a reminder, the daily reminder's
/// moment. Asia/Almaty by default. Kazakhstan has one zone, UTC+05:00, since 2024-03-01 (before: +06:00 in the
/// east); tzdata 2024a has it, so an older tzdata would print dates an hour off around midnight. Such a zone, or a
/// machine without the zone at all (a slim container without tzdata), falls back to the fixed
/// <see cref="NotifyOptions.FallbackUtcOffset"/>, and <see cref="Description"/> says so for the start-up log.
/// </summary>
public sealed class NoticeCalendar
{
    // Kazakhstan's switch to a single UTC+05:00 zone (government decree of 2023-12; tzdata 2024a).
    private static readonly DateTimeOffset s_almatyPlusFive = new(2024, 3, 1, 0, 0, 0, TimeSpan.FromHours(5));

    private NoticeCalendar(TimeZoneInfo zone, bool usesFallback, string description, TimeOnly reminderTime)
    {
        Zone = zone;
        UsesFallback = usesFallback;
        Description = description;
        DailyReminderTime = reminderTime;
    }

    /// <summary>The zone in force (the machine's, or a fixed-offset one).</summary>
    public TimeZoneInfo Zone { get; }

    /// <summary>True when the fixed <see cref="NotifyOptions.FallbackUtcOffset"/> is used.</summary>
    public bool UsesFallback { get; }

    /// <summary>One line for the start-up log: which zone and why.</summary>
    public string Description { get; }

    /// <summary>Local time of the daily reminder.</summary>
    public TimeOnly DailyReminderTime { get; }

    /// <summary>The calendar of <paramref name="options"/>, with this machine's time zones.</summary>
    public static NoticeCalendar FromOptions(NotifyOptions options) => FromOptions(options, FindZone);

    /// <summary>As <see cref="FromOptions(NotifyOptions)"/> with the zone lookup given (tests pass a stale zone).</summary>
    internal static NoticeCalendar FromOptions(NotifyOptions options, Func<string, TimeZoneInfo?> findZone)
    {
        TimeZoneInfo? zone = findZone(options.TimeZone);
        string fallbackName = Utc(options.FallbackUtcOffset);
        if (zone is null)
            return Fixed(options, $"time zone {options.TimeZone} is not on this machine (no tzdata?): using the fixed {fallbackName} of Notify:FallbackUtcOffset");

        if (options.TimeZone == "Asia/Almaty" && zone.GetUtcOffset(s_almatyPlusFive.AddDays(1)) != TimeSpan.FromHours(5))
            return Fixed(options, $"this machine's tzdata gives Asia/Almaty {Utc(zone.GetUtcOffset(s_almatyPlusFive.AddDays(1)))} after 2024-03-01 (older than tzdata 2024a): using the fixed {fallbackName} of Notify:FallbackUtcOffset");

        return new NoticeCalendar(zone, usesFallback: false,
            $"time zone {options.TimeZone} from this machine's tzdata (now {Utc(zone.GetUtcOffset(DateTimeOffset.UtcNow))})",
            options.DailyReminderTime);
    }

    /// <summary>The local date of an instant.</summary>
    public DateOnly LocalDate(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Zone).DateTime);

    /// <summary>The local date of a grey deadline (Unix seconds), as the texts print it.</summary>
    public DateOnly DeadlineDate(uint deadlineUnixSeconds) => LocalDate(DateTimeOffset.FromUnixTimeSeconds(deadlineUnixSeconds));

    /// <summary>The first daily-reminder moment strictly after <paramref name="now"/> (for the trigger that schedules reminders).</summary>
    public DateTimeOffset NextDailyReminder(DateTimeOffset now)
    {
        DateOnly day = LocalDate(now);
        for (int i = 0; i < 3; i++)
        {
            DateTimeOffset at = AtLocal(day.AddDays(i), DailyReminderTime);
            if (at > now) return at;
        }
        throw new InvalidOperationException("no reminder moment within three days"); // unreachable: a day has one 12:00
    }

    /// <summary>The instant of a local date and time (a time skipped by a DST jump moves forward by the jump).</summary>
    public DateTimeOffset AtLocal(DateOnly day, TimeOnly time)
    {
        DateTime local = day.ToDateTime(time, DateTimeKind.Unspecified);
        if (Zone.IsInvalidTime(local)) local = local.AddHours(1);
        return new DateTimeOffset(local, Zone.GetUtcOffset(local));
    }

    private static NoticeCalendar Fixed(NotifyOptions options, string description) =>
        new(TimeZoneInfo.CreateCustomTimeZone($"fixed{options.FallbackUtcOffset}", options.FallbackUtcOffset, description, description),
            usesFallback: true, description, options.DailyReminderTime);

    private static string Utc(TimeSpan offset) => $"UTC{(offset < TimeSpan.Zero ? "-" : "+")}{offset.Duration():hh\\:mm}";

    private static TimeZoneInfo? FindZone(string id)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (TimeZoneNotFoundException)
        {
            return null;
        }
        catch (InvalidTimeZoneException)
        {
            return null;
        }
    }
}
