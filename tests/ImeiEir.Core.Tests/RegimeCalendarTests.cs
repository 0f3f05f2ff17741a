using System.Globalization;
using FsCheck;
using FsCheck.Fluent;

namespace ImeiEir.Core.Tests;

/// <summary>The regime's one calendar: Asia/Almaty days, the fixed-offset fallback, and the answer path's cached day number.</summary>
public class RegimeCalendarTests
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    [Test]
    public void This_machine_gives_Almaty_plus_five_hours()
    {
        // Debian 12's tzdata has the 2024 change; on an older one the calendar must have chosen the fallback.
        RegimeCalendar calendar = RegimeCalendar.Default;
        Assert.Multiple(() =>
        {
            Assert.That(calendar.UsesFallback, Is.False, calendar.Description);
            Assert.That(calendar.Zone.GetUtcOffset(new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero)), Is.EqualTo(TimeSpan.FromHours(5)));
            Assert.That(calendar.Description, Does.Contain("Asia/Almaty").And.Contain("UTC+05:00"));
        });
    }

    [TestCase("2026-12-23T18:59:59Z", "23.12.2026")]
    [TestCase("2026-12-23T19:00:00Z", "24.12.2026")] // midnight in Almaty, still the 23rd in UTC
    public void Deadlines_are_printed_as_local_dates(string utc, string text) =>
        Assert.That(RegimeCalendar.Default.DeadlineText((uint)DateTimeOffset.Parse(utc, Invariant).ToUnixTimeSeconds()), Is.EqualTo(text));

    [Test]
    public void A_bare_date_starts_at_local_midnight() =>
        Assert.That(RegimeCalendar.Default.StartOfDay(new DateOnly(2026, 12, 24)), Is.EqualTo(DateTimeOffset.Parse("2026-12-23T19:00:00Z", Invariant)));

    [Test]
    public void A_missing_zone_falls_back_to_the_configured_offset_and_names_its_key()
    {
        RegimeCalendar calendar = RegimeCalendar.Create("Asia/Almaty", TimeSpan.FromHours(5), "Policy:FallbackUtcOffset", _ => null);
        Assert.Multiple(() =>
        {
            Assert.That(calendar.UsesFallback, Is.True);
            Assert.That(calendar.Description, Does.Contain("Policy:FallbackUtcOffset").And.Contain("UTC+05:00").And.Contain("not on this machine"));
            Assert.That(calendar.LocalDate(DateTimeOffset.Parse("2026-12-23T19:00:00Z", Invariant)), Is.EqualTo(new DateOnly(2026, 12, 24)));
        });
    }

    [Test]
    public void A_stale_Almaty_zone_still_at_plus_six_is_replaced_by_the_fallback()
    {
        TimeZoneInfo stale = TimeZoneInfo.CreateCustomTimeZone("Asia/Almaty", TimeSpan.FromHours(6), "old Almaty", "old Almaty");
        RegimeCalendar calendar = RegimeCalendar.Create("Asia/Almaty", TimeSpan.FromHours(5), "Policy:FallbackUtcOffset", _ => stale);
        Assert.Multiple(() =>
        {
            Assert.That(calendar.UsesFallback, Is.True);
            Assert.That(calendar.Description, Does.Contain("UTC+06:00").And.Contain("2024a"));
            // 23:30 at +05:00 is still the 23rd; at +06:00 it would be the 24th.
            Assert.That(calendar.LocalDate(DateTimeOffset.Parse("2026-12-23T18:30:00Z", Invariant)), Is.EqualTo(new DateOnly(2026, 12, 23)));
        });
    }

    [TestCase("2026-11-24T06:59:59Z", "2026-11-24T07:00:00Z")] // 11:59:59 local → today's noon
    [TestCase("2026-11-24T07:00:00Z", "2026-11-25T07:00:00Z")] // exactly noon → tomorrow's
    [TestCase("2026-11-24T20:00:00Z", "2026-11-25T07:00:00Z")] // 01:00 local on the 25th → that day's noon
    public void The_next_local_noon_is_strictly_after_now(string now, string expected) =>
        Assert.That(RegimeCalendar.Default.NextAt(new TimeOnly(12, 0), DateTimeOffset.Parse(now, Invariant)),
            Is.EqualTo(DateTimeOffset.Parse(expected, Invariant)));

    /// <summary>The cached day number agrees with the date computed from scratch, in any order of times (a clock may go back).</summary>
    [Test]
    public void The_cached_day_number_is_the_local_date_in_any_order_of_times()
    {
        // Berlin has DST, so days of 23 and 25 hours are among them; Almaty has none.
        foreach (string zone in new[] { "Asia/Almaty", "Europe/Berlin" })
        {
            RegimeCalendar calendar = RegimeCalendar.Create(zone, TimeSpan.Zero);
            DateOnly epoch = DateOnly.FromDateTime(DateTime.UnixEpoch);
            Prop.ForAll(Arb.From(Gen.ListOf(Gen.Choose(0, 4 * 365 * 24)).Select(hours => hours.ToArray())), hours =>
            {
                long start = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
                foreach (int h in hours)
                {
                    foreach (long t in new[] { start + h * 3600L, start + h * 3600L - 1 })
                    {
                        if (calendar.LocalDayNumber(t) != calendar.LocalDate(t).DayNumber - epoch.DayNumber) return false;
                    }
                }
                return true;
            }).QuickCheckThrowOnFailure();
        }
    }

    [Test]
    public void The_day_turns_at_local_midnight()
    {
        long beforeMidnight = DateTimeOffset.Parse("2026-11-24T18:59:59Z", Invariant).ToUnixTimeSeconds();
        RegimeCalendar calendar = RegimeCalendar.Default;
        long day = calendar.LocalDayNumber(beforeMidnight);
        Assert.Multiple(() =>
        {
            Assert.That(calendar.LocalDayNumber(beforeMidnight - 86_399 + 1), Is.EqualTo(day), "the same local day's first second");
            Assert.That(calendar.LocalDayNumber(beforeMidnight + 1), Is.EqualTo(day + 1), "00:00 in Almaty");
            Assert.That(calendar.LocalDayNumber(beforeMidnight), Is.EqualTo(day), "and back again");
        });
    }

    [Test]
    public void Asking_for_the_day_within_it_allocates_nothing()
    {
        RegimeCalendar calendar = RegimeCalendar.Create("Asia/Almaty", TimeSpan.FromHours(5));
        long noon = DateTimeOffset.Parse("2026-11-24T07:00:00Z", Invariant).ToUnixTimeSeconds();
        calendar.LocalDayNumber(noon);
        long before = GC.GetAllocatedBytesForCurrentThread();
        long sum = 0;
        for (int i = 0; i < 10_000; i++) sum += calendar.LocalDayNumber(noon + i);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(allocated, Is.Zero, $"sum {sum}");
    }

    [TestCase("", "Policy:TimeZone")]
    [TestCase("  ", "Policy:TimeZone")]
    public void A_blank_time_zone_is_refused_by_name(string zone, string key) =>
        Assert.That(new PolicyOptions { TimeZone = zone }.Validate(), Has.Some.StartsWith(key + ":"));

    [TestCase("05:30:30")]
    [TestCase("15:00:00")]
    public void A_fallback_offset_not_in_whole_minutes_within_14_hours_is_refused(string offset) =>
        Assert.That(new PolicyOptions { FallbackUtcOffset = TimeSpan.Parse(offset, Invariant) }.Validate(), Has.Some.StartsWith("Policy:FallbackUtcOffset:"));
}
