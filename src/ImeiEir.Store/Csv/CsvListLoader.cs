using System.Globalization;
using ImeiEir.Core;

namespace ImeiEir.Store;

/// <summary>
/// Loads an operator's initial lists from CSV into the store, all or nothing.
/// <code>
/// imei,list,reason,deadline              header, required, columns in this order; deadline optional
/// 490154203237518,white,verified,        list: white | grey | black; reason: a reason name
/// 35693803564380,grey,unverified,2026-12-24            deadline: grey only; a date is 00:00 Asia/Almaty
/// 3569380356438012,black,stolen,                       imei: 14, 15 (checked) or 16 (IMEISV) digits
/// # comment lines and empty lines are skipped
/// </code>
/// Loaded records get sequence 0: the registry's changes (sequence &gt; 0) supersede them.
/// </summary>
public static class CsvListLoader
{
    /// <summary>
    /// Offset a bare date in the deadline column is read in: Asia/Almaty, UTC+05:00 (Kazakhstan has one time
    /// zone, UTC+5, since 1 March 2024, and no daylight saving).
    /// </summary>
    public static readonly TimeSpan DateOffset = TimeSpan.FromHours(5);

    private const string DateFormat = "yyyy-MM-dd";

    private static readonly string[] s_dateTimeFormats =
    [
        "yyyy-MM-dd'T'HH:mmzzz", "yyyy-MM-dd'T'HH:mm:sszzz", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz",
        "yyyy-MM-dd HH:mmzzz", "yyyy-MM-dd HH:mm:sszzz", "yyyy-MM-dd HH:mm:ss.FFFFFFFzzz",
    ];

    /// <summary>Loads the file at <paramref name="path"/> (UTF-8, BOM optional); see <see cref="Load(Func{TextReader}, string, ImeiStoreSession)"/>.</summary>
    public static CsvLoadReport Load(string path, ImeiStoreSession session) =>
        Load(() => new StreamReader(path, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true), path, session);

    /// <summary>
    /// Validates the whole input first; if any line is bad, nothing is applied and every bad line is reported
    /// (line number and reason). Otherwise every record is upserted. Streams the input twice
    /// (<paramref name="open"/> is called once per pass); memory is bounded apart from the duplicate check
    /// (one entry per IMEI). Should the input change between the passes, loading stops at the first line that
    /// no longer validates, and the report says so, with <see cref="CsvLoadReport.Applied"/> records already applied.
    /// </summary>
    public static CsvLoadReport Load(Func<TextReader> open, string sourceName, ImeiStoreSession session)
    {
        ArgumentNullException.ThrowIfNull(open);
        ArgumentNullException.ThrowIfNull(sourceName);
        ArgumentNullException.ThrowIfNull(session);

        var errors = new List<CsvLineError>();
        var firstLineOf = new Dictionary<ulong, int>();
        using (TextReader reader = open())
        {
            foreach (Row row in Rows(reader, sourceName, errors))
            {
                if (!row.Valid) continue;
                if (firstLineOf.TryGetValue(row.Imei.Key, out int first))
                    errors.Add(new CsvLineError(sourceName, row.Line, $"imei '{row.ImeiText}' is listed twice: on line {first} and on line {row.Line}"));
                else
                    firstLineOf.Add(row.Imei.Key, row.Line);
            }
        }
        if (errors.Count > 0) return new CsvLoadReport(0, errors);
        firstLineOf = null;

        int applied = 0;
        using (TextReader reader = open())
        {
            foreach (Row row in Rows(reader, sourceName, errors))
            {
                if (!row.Valid)
                {
                    errors.Add(new CsvLineError(sourceName, row.Line, "the input changed after it was validated; loading stopped here"));
                    break;
                }
                session.Upsert(row.Imei, row.Record);
                applied++;
            }
        }
        return new CsvLoadReport(applied, errors);
    }

    private readonly record struct Row(int Line, bool Valid, Imei Imei, string ImeiText, ImeiRecord Record);

    /// <summary>Parses every data line; problems go to <paramref name="errors"/> and make the row invalid.</summary>
    private static IEnumerable<Row> Rows(TextReader reader, string source, List<CsvLineError> errors)
    {
        int lineNumber = 0;
        int columns = 0;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (IsSkipped(line)) continue;
            if (columns == 0)
            {
                columns = ParseHeader(line);
                if (columns == 0)
                {
                    errors.Add(new CsvLineError(source, lineNumber,
                        $"the header should be 'imei,list,reason' or 'imei,list,reason,deadline', found '{line}'"));
                    yield break;
                }
                continue;
            }
            yield return ParseRow(line, lineNumber, columns, source, errors);
        }
        if (columns == 0 && errors.Count == 0)
            errors.Add(new CsvLineError(source, Math.Max(1, lineNumber), "the input is empty; it should start with the header 'imei,list,reason[,deadline]'"));
    }

    private static bool IsSkipped(string line)
    {
        ReadOnlySpan<char> trimmed = line.AsSpan().Trim();
        return trimmed.IsEmpty || trimmed[0] == '#';
    }

    /// <summary>Number of columns the header declares (3 or 4), or 0 when it is not the header.</summary>
    private static int ParseHeader(string line)
    {
        string[] names = line.Split(',');
        for (int i = 0; i < names.Length; i++) names[i] = names[i].Trim().ToLowerInvariant();
        if (names.Length is < 3 or > 4 || names[0] != "imei" || names[1] != "list" || names[2] != "reason") return 0;
        if (names.Length == 4 && names[3] != "deadline") return 0;
        return names.Length;
    }

    private static Row ParseRow(string line, int lineNumber, int columns, string source, List<CsvLineError> errors)
    {
        int errorsBefore = errors.Count;
        void Fail(string reason) => errors.Add(new CsvLineError(source, lineNumber, reason));

        string[] fields = line.Split(',');
        if (fields.Length != columns)
        {
            Fail(columns == 3
                ? $"expected 3 columns (imei,list,reason) but found {fields.Length}"
                : $"expected 4 columns (imei,list,reason,deadline; deadline may be empty) but found {fields.Length}");
            return new Row(lineNumber, false, default, "", default);
        }
        for (int i = 0; i < fields.Length; i++) fields[i] = fields[i].Trim();

        string imeiText = fields[0];
        ImeiParseResult parsed = Imei.TryParse(imeiText.AsSpan(), out Imei imei);
        if (parsed == ImeiParseResult.Malformed)
            Fail($"imei '{imeiText}' is not an IMEI: expected 14, 15 or 16 digits");
        else if (parsed == ImeiParseResult.BadCheckDigit)
            Fail($"imei '{imeiText}' has a wrong check digit: the check digit should be {imei.CheckDigit}");

        if (!Names.TryParseList(fields[1], out ListKind list))
            Fail($"list '{fields[1]}' is not a list: expected white, grey or black");

        if (!Names.TryParseReason(fields[2], out Reason reason))
            Fail($"reason '{fields[2]}' is not a known reason: expected one of {string.Join(", ", Names.ReasonNames)}");

        string deadlineText = columns == 4 ? fields[3] : "";
        uint deadline = 0;
        if (list == ListKind.Grey && deadlineText.Length == 0)
            Fail(columns == 4
                ? "deadline is empty, but a grey record needs one (a date such as 2026-12-24 or a date-time with an offset)"
                : "a grey record needs a deadline, but the header has no deadline column");
        else if (list is ListKind.White or ListKind.Black && deadlineText.Length != 0)
            Fail($"deadline '{deadlineText}' is only allowed on the grey list, not on {list.ToName()}");
        else if (deadlineText.Length != 0 && !TryParseDeadline(deadlineText, out deadline, out string? problem))
            Fail($"deadline '{deadlineText}' {problem}");

        if (errors.Count != errorsBefore)
            return new Row(lineNumber, false, imei, imeiText, default);
        return new Row(lineNumber, true, imei, imeiText, new ImeiRecord(list, reason, deadline, sequence: 0));
    }

    /// <summary>A date (00:00 at <see cref="DateOffset"/>) or a date-time with an offset, as Unix seconds in (0, 2^32).</summary>
    internal static bool TryParseDeadline(string text, out uint unixSeconds, out string? problem)
    {
        unixSeconds = 0;
        DateTimeOffset when;
        if (DateTime.TryParseExact(text, DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out DateTime date))
        {
            when = new DateTimeOffset(date, DateOffset);
        }
        else
        {
            string normalized = text.EndsWith('Z') || text.EndsWith('z') ? text[..^1] + "+00:00" : text;
            if (!DateTimeOffset.TryParseExact(normalized, s_dateTimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out when))
            {
                problem = "is not a date such as 2026-12-24 or a date-time with an offset such as 2026-12-24T18:00:00+05:00";
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
