using System.Globalization;
using ImeiEir.Core;

namespace ImeiEir.Registry;

/// <summary>
/// Grey deadlines as admins write them: a bare date (00:00 in the regime's time zone, see <see cref="RegimeCalendar"/>)
/// or an ISO 8601 date-time with an offset. Span-based, so a million-line delta does not allocate a string per deadline.
/// </summary>
internal static class DeadlineText
{
    private static readonly string[] s_dateTimeFormats =
    [
        "yyyy-MM-dd'T'HH:mmzzz", "yyyy-MM-dd'T'HH:mm:sszzz", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz",
        "yyyy-MM-dd HH:mmzzz", "yyyy-MM-dd HH:mm:sszzz", "yyyy-MM-dd HH:mm:ss.FFFFFFFzzz",
    ];

    public const string Expected = "a date such as 2026-12-24 or a date-time with an offset such as 2026-12-24T18:00:00+05:00";

    /// <summary>Parses to Unix seconds in (0, 2^32); false with the problem (to follow the quoted text) otherwise.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, RegimeCalendar calendar, out uint unixSeconds, out string? problem)
    {
        unixSeconds = 0;
        DateTimeOffset when;
        if (DateTime.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out DateTime date))
        {
            when = calendar.StartOfDay(DateOnly.FromDateTime(date));
        }
        else
        {
            Span<char> normalized = stackalloc char[40];
            if (text.Length is 0 or > 34) { problem = "is not " + Expected; return false; }
            text.CopyTo(normalized);
            int length = text.Length;
            if (text[^1] is 'Z' or 'z')
            {
                "+00:00".CopyTo(normalized[(length - 1)..]);
                length += 5;
            }
            if (!DateTimeOffset.TryParseExact(normalized[..length], s_dateTimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out when))
            {
                problem = "is not " + Expected;
                return false;
            }
        }

        long seconds = when.ToUnixTimeSeconds();
        if (seconds is <= 0 or > uint.MaxValue)
        {
            problem = "is out of range: it must be after 1970-01-01 and before 2106-02-07";
            return false;
        }
        unixSeconds = (uint)seconds;
        problem = null;
        return true;
    }
}
