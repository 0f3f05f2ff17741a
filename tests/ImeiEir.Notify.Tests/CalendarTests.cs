using ImeiEir.Core;

namespace ImeiEir.Notify.Tests;

/// <summary>The notices' dates and reminder moments, read in the regime calendar (Asia/Almaty: UTC+05:00 since 2024-03-01).</summary>
public class CalendarTests
{
    [TestCase("2026-12-23T18:59:59Z", "2026-12-23")]
    [TestCase("2026-12-23T19:00:00Z", "2026-12-24")] // midnight in Almaty, still the 23rd in UTC
    [TestCase("2026-12-24T18:59:59Z", "2026-12-24")]
    public void Deadline_dates_are_Almaty_dates(string utc, string localDate)
    {
        NoticeCalendar calendar = NoticeCalendar.Create(RegimeCalendar.Default, new NotifyOptions());
        uint deadline = (uint)DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeSeconds();
        Assert.That(calendar.DeadlineDate(deadline), Is.EqualTo(DateOnly.Parse(localDate, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Test]
    public void The_notices_follow_the_regime_calendar_they_are_given()
    {
        // A machine without the zone: the regime calendar falls back to its fixed offset, and the notices with it.
        RegimeCalendar fallback = RegimeCalendar.Create("Nowhere/Nothing", TimeSpan.FromHours(-3), "Policy:FallbackUtcOffset", _ => null);
        NoticeCalendar calendar = NoticeCalendar.Create(fallback, new NotifyOptions());
        Assert.Multiple(() =>
        {
            Assert.That(calendar.UsesFallback, Is.True);
            Assert.That(calendar.Description, Does.Contain("Policy:FallbackUtcOffset").And.Contain("UTC-03:00"));
            Assert.That(calendar.LocalDate(new DateTimeOffset(2026, 1, 2, 2, 0, 0, TimeSpan.Zero)), Is.EqualTo(new DateOnly(2026, 1, 1)));
        });
    }

    [TestCase("2026-11-24T06:59:59Z", "2026-11-24T07:00:00Z")] // 11:59:59 local → today's noon
    [TestCase("2026-11-24T07:00:00Z", "2026-11-25T07:00:00Z")] // exactly noon → tomorrow's
    [TestCase("2026-11-24T20:00:00Z", "2026-11-25T07:00:00Z")] // 01:00 local on the 25th → that day's noon
    public void The_next_daily_reminder_is_at_noon_Almaty(string now, string expected)
    {
        NoticeCalendar calendar = NoticeCalendar.Create(RegimeCalendar.Default, new NotifyOptions());
        var culture = System.Globalization.CultureInfo.InvariantCulture;
        Assert.That(calendar.NextDailyReminder(DateTimeOffset.Parse(now, culture)), Is.EqualTo(DateTimeOffset.Parse(expected, culture)));
        Assert.That(calendar.DailyReminderTime, Is.EqualTo(new TimeOnly(12, 0)));
    }

    [Test]
    public void A_configured_reminder_time_is_the_local_time_of_the_reminder()
    {
        NoticeCalendar calendar = NoticeCalendar.Create(RegimeCalendar.Default, new NotifyOptions { DailyReminderTime = new TimeOnly(9, 30) });
        Assert.That(calendar.NextDailyReminder(new DateTimeOffset(2026, 11, 24, 0, 0, 0, TimeSpan.Zero)),
            Is.EqualTo(new DateTimeOffset(2026, 11, 24, 4, 30, 0, TimeSpan.Zero)));
    }
}
