namespace ImeiEir.Notify.Tests;

/// <summary>Asia/Almaty dates and the fixed-offset fallback (Kazakhstan: UTC+05:00 since 2024-03-01).</summary>
public class CalendarTests
{
    [Test]
    public void This_machine_gives_Almaty_plus_five_hours()
    {
        // Debian 12's tzdata 2025b has the 2024 change; if this fails, the machine's tzdata predates 2024a and the
        // calendar must have chosen the fallback (see the next tests).
        NoticeCalendar calendar = NoticeCalendar.FromOptions(new NotifyOptions());
        Assert.Multiple(() =>
        {
            Assert.That(calendar.UsesFallback, Is.False, calendar.Description);
            Assert.That(calendar.Zone.GetUtcOffset(new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero)), Is.EqualTo(TimeSpan.FromHours(5)));
            Assert.That(calendar.Description, Does.Contain("Asia/Almaty").And.Contain("UTC+05:00"));
        });
    }

    [TestCase("2026-12-23T18:59:59Z", "2026-12-23")]
    [TestCase("2026-12-23T19:00:00Z", "2026-12-24")] // midnight in Almaty, still the 23rd in UTC
    [TestCase("2026-12-24T18:59:59Z", "2026-12-24")]
    public void Deadline_dates_are_Almaty_dates(string utc, string localDate)
    {
        NoticeCalendar calendar = NoticeCalendar.FromOptions(new NotifyOptions());
        uint deadline = (uint)DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeSeconds();
        Assert.That(calendar.DeadlineDate(deadline), Is.EqualTo(DateOnly.Parse(localDate, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Test]
    public void A_missing_zone_falls_back_to_the_configured_offset_and_says_so()
    {
        NoticeCalendar calendar = NoticeCalendar.FromOptions(new NotifyOptions(), _ => null);
        Assert.Multiple(() =>
        {
            Assert.That(calendar.UsesFallback, Is.True);
            Assert.That(calendar.Description, Does.Contain("Notify:FallbackUtcOffset").And.Contain("UTC+05:00").And.Contain("not on this machine"));
            Assert.That(calendar.DeadlineDate(TestData.Deadline), Is.EqualTo(new DateOnly(2026, 12, 24)));
        });
    }

    [Test]
    public void A_stale_Almaty_zone_still_at_plus_six_is_replaced_by_the_fallback()
    {
        // What tzdata before 2024a says for Asia/Almaty: +06:00 all year.
        TimeZoneInfo stale = TimeZoneInfo.CreateCustomTimeZone("Asia/Almaty", TimeSpan.FromHours(6), "old Almaty", "old Almaty");
        NoticeCalendar calendar = NoticeCalendar.FromOptions(new NotifyOptions(), _ => stale);
        Assert.Multiple(() =>
        {
            Assert.That(calendar.UsesFallback, Is.True);
            Assert.That(calendar.Description, Does.Contain("UTC+06:00").And.Contain("2024a"));
            // 2026-12-23T18:30Z is 23:30 at +05:00 (the 23rd) but 00:30 at +06:00 (the 24th).
            Assert.That(calendar.DeadlineDate((uint)new DateTimeOffset(2026, 12, 23, 18, 30, 0, TimeSpan.Zero).ToUnixTimeSeconds()),
                Is.EqualTo(new DateOnly(2026, 12, 23)));
        });
    }

    [Test]
    public void A_configured_fallback_offset_is_used_as_given()
    {
        NoticeCalendar calendar = NoticeCalendar.FromOptions(new NotifyOptions { TimeZone = "Nowhere/Nothing", FallbackUtcOffset = TimeSpan.FromHours(-3) });
        Assert.That(calendar.UsesFallback, Is.True);
        Assert.That(calendar.LocalDate(new DateTimeOffset(2026, 1, 2, 2, 0, 0, TimeSpan.Zero)), Is.EqualTo(new DateOnly(2026, 1, 1)));
    }

    [TestCase("2026-11-24T06:59:59Z", "2026-11-24T07:00:00Z")] // 11:59:59 local → today's noon
    [TestCase("2026-11-24T07:00:00Z", "2026-11-25T07:00:00Z")] // exactly noon → tomorrow's
    [TestCase("2026-11-24T20:00:00Z", "2026-11-25T07:00:00Z")] // 01:00 local on the 25th → that day's noon
    public void The_next_daily_reminder_is_at_noon_Almaty(string now, string expected)
    {
        NoticeCalendar calendar = NoticeCalendar.FromOptions(new NotifyOptions());
        var culture = System.Globalization.CultureInfo.InvariantCulture;
        Assert.That(calendar.NextDailyReminder(DateTimeOffset.Parse(now, culture)), Is.EqualTo(DateTimeOffset.Parse(expected, culture)));
        Assert.That(calendar.DailyReminderTime, Is.EqualTo(new TimeOnly(12, 0)));
    }
}
