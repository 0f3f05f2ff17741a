namespace ImeiEir.Node.Http;

/// <summary>
/// Calendar dates as subscribers read them: Asia/Almaty (UTC+5 since 2024-03-01; the machine's tzdata knows it).
/// A system without that zone falls back to a fixed +05:00 rather than showing UTC dates.
/// </summary>
internal static class RegimeCalendar
{
    private static readonly TimeZoneInfo s_zone = FindZone();

    public static string Date(uint unixSeconds) =>
        TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeSeconds(unixSeconds), s_zone).ToString("dd.MM.yyyy", System.Globalization.CultureInfo.InvariantCulture);

    private static TimeZoneInfo FindZone()
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById("Asia/Almaty");
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return TimeZoneInfo.CreateCustomTimeZone("Asia/Almaty (+05:00)", TimeSpan.FromHours(5), "Asia/Almaty", "Asia/Almaty");
        }
    }
}
