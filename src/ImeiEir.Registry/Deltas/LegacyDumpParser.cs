using System.Globalization;
using System.Text;
using ImeiEir.Core;

namespace ImeiEir.Registry;

/// <summary>
/// Reads an operator's dump of the devices its network saw before the regime (docs/ARCHITECTURE.md, rule 7):
/// UTF-8 lines <c>imei,first_seen[,imsi]</c>, an optional header line whose first field is <c>imei</c>, blank lines
/// ignored. <c>first_seen</c> is a date (<c>2025-05-24</c>, 00:00 in the regime's time zone), a local date-time
/// (<c>2025-05-24T13:45[:10]</c> or with a space, in the regime's time zone), or a date-time with an offset or Z
/// (<c>2025-05-24T13:45:10+05:00</c>, <c>2025-05-24T08:45:10Z</c>). The IMSI, when given, must be 5 to 15 digits;
/// it is checked, not stored (the registry keeps lists of IMEIs).
/// </summary>
internal static class LegacyDumpParser
{
    public const string ExpectedFirstSeen = "a date such as 2025-05-24, a local date-time such as 2025-05-24T13:45:10, or one with an offset such as 2025-05-24T13:45:10+05:00";

    private static readonly string[] s_localFormats =
    [
        "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFFF",
    ];

    /// <summary>Reads the whole body; a body over <paramref name="maxLines"/> lines is refused as a whole.</summary>
    public static async Task<LegacyDump> ParseAsync(Stream body, int maxLines, RegimeCalendar calendar, CancellationToken ct)
    {
        var entries = new List<LegacyEntry>();
        var errors = new List<DeltaLineError>();
        using var reader = new StreamReader(body, new UTF8Encoding(false, throwOnInvalidBytes: false), detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        int lineNumber = 0;
        while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } text)
        {
            lineNumber++;
            if (lineNumber > maxLines)
                return new LegacyDump([], [], lineNumber, $"the dump has more than {maxLines} lines (Registry:MaxDeltaLines); split it");
            ReadOnlySpan<char> line = text.AsSpan().Trim();
            if (line.IsEmpty) continue;
            if (lineNumber == 1 && IsHeader(line)) continue;
            if (TryParseLine(line, calendar, out Imei imei, out long firstSeen, out string? problem))
                entries.Add(new LegacyEntry(lineNumber, imei, firstSeen));
            else
                errors.Add(new DeltaLineError(lineNumber, problem!));
        }
        return new LegacyDump(entries, errors, lineNumber, null);
    }

    /// <summary>One data line; false with the problem in plain English.</summary>
    internal static bool TryParseLine(ReadOnlySpan<char> line, RegimeCalendar calendar, out Imei imei, out long firstSeenUnixSeconds, out string? problem)
    {
        imei = default;
        firstSeenUnixSeconds = 0;
        int comma = line.IndexOf(',');
        if (comma < 0)
        {
            problem = "expected imei,first_seen[,imsi]";
            return false;
        }
        ReadOnlySpan<char> imeiText = line[..comma].Trim();
        ReadOnlySpan<char> rest = line[(comma + 1)..];
        int second = rest.IndexOf(',');
        ReadOnlySpan<char> firstSeenText = (second < 0 ? rest : rest[..second]).Trim();
        ReadOnlySpan<char> imsiText = second < 0 ? default : rest[(second + 1)..].Trim();

        switch (Imei.TryParse(imeiText, out imei))
        {
            case ImeiParseResult.Malformed:
                problem = $"imei '{imeiText}' is not 14, 15 or 16 digits";
                return false;
            case ImeiParseResult.BadCheckDigit:
                problem = $"imei '{imeiText}' has a wrong check digit (an invalid IMEI is never whitelisted)";
                return false;
        }
        if (firstSeenText.IsEmpty)
        {
            problem = "first_seen is empty";
            return false;
        }
        if (!TryParseFirstSeen(firstSeenText, calendar, out firstSeenUnixSeconds))
        {
            problem = $"first_seen '{firstSeenText}' is not {ExpectedFirstSeen}";
            return false;
        }
        if (imsiText.Contains(','))
        {
            problem = "expected imei,first_seen[,imsi]: too many fields";
            return false;
        }
        if (!imsiText.IsEmpty && !ImsiText.IsValidImsi(imsiText))
        {
            problem = $"imsi '{imsiText}' is not an IMSI (5 to 15 digits)";
            return false;
        }
        problem = null;
        return true;
    }

    /// <summary>A first-seen time in any of the accepted forms (see the class remarks), as Unix seconds.</summary>
    internal static bool TryParseFirstSeen(ReadOnlySpan<char> text, RegimeCalendar calendar, out long unixSeconds)
    {
        unixSeconds = 0;
        if (DateTime.TryParseExact(text, s_localFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out DateTime local))
        {
            unixSeconds = calendar.AtLocal(DateOnly.FromDateTime(local), TimeOnly.FromDateTime(local)).ToUnixTimeSeconds();
            return true;
        }
        // A bare date or a date-time with an offset: the deadlines' forms.
        if (!DeadlineText.TryParse(text, calendar, out uint seconds, out _)) return false;
        unixSeconds = seconds;
        return true;
    }

    private static bool IsHeader(ReadOnlySpan<char> line)
    {
        int comma = line.IndexOf(',');
        ReadOnlySpan<char> first = (comma < 0 ? line : line[..comma]).Trim();
        return first.Equals("imei", StringComparison.OrdinalIgnoreCase);
    }
}
