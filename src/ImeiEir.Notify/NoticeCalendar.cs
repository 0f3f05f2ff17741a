using ImeiEir.Core;

namespace ImeiEir.Notify;

/// <summary>
/// The notices' view of the regime calendar (<see cref="RegimeCalendar"/>): the date printed as ДД.ММ.ГГГГ, the local
/// day of a reminder, and the daily reminder's moment (<see cref="NotifyOptions.DailyReminderTime"/>).
/// </summary>
public sealed class NoticeCalendar
{
    private NoticeCalendar(RegimeCalendar regime, TimeOnly reminderTime)
    {
        Regime = regime;
        DailyReminderTime = reminderTime;
    }

    /// <summary>The regime's calendar these dates are read in.</summary>
    public RegimeCalendar Regime { get; }

    /// <summary>The zone in force (the machine's, or a fixed-offset one).</summary>
    public TimeZoneInfo Zone => Regime.Zone;

    /// <summary>True when the fixed fallback offset is used.</summary>
    public bool UsesFallback => Regime.UsesFallback;

    /// <summary>One line for the start-up log: which zone and why.</summary>
    public string Description => Regime.Description;

    /// <summary>Local time of the daily reminder.</summary>
    public TimeOnly DailyReminderTime { get; }

    /// <summary>The notices' calendar: the regime's days, the reminder time of <paramref name="options"/>.</summary>
    public static NoticeCalendar Create(RegimeCalendar regime, NotifyOptions options) => new(regime, options.DailyReminderTime);

    /// <summary>The local date of an instant.</summary>
    public DateOnly LocalDate(DateTimeOffset instant) => Regime.LocalDate(instant);

    /// <summary>The local date of a grey deadline (Unix seconds), as the texts print it.</summary>
    public DateOnly DeadlineDate(uint deadlineUnixSeconds) => Regime.DeadlineDate(deadlineUnixSeconds);

    /// <summary>The first daily-reminder moment strictly after <paramref name="now"/> (for the trigger that schedules reminders).</summary>
    public DateTimeOffset NextDailyReminder(DateTimeOffset now) => Regime.NextAt(DailyReminderTime, now);

    /// <summary>The instant of a local date and time (a time skipped by a DST jump moves forward by the jump).</summary>
    public DateTimeOffset AtLocal(DateOnly day, TimeOnly time) => Regime.AtLocal(day, time);
}
