using System.Globalization;
using System.Text;

namespace ImeiEir.Core.Tac;

/// <summary>
/// Reads a TAC file: a header line naming the columns, then one device per line. The delimiter is whichever of
/// <c>,</c> <c>;</c> <c>|</c> or tab the header uses most; fields may be quoted ("a, b" and "" for a quote). Columns
/// are found by name, case and punctuation ignored, in any order, and others are ignored:
/// <code>
/// tac           TAC                                                     8 digits, required
/// manufacturer  Manufacturer, Brand Name, Manufacturer (or) Applicant   first one present wins
/// model         Model, Model Name, Marketing Name                       first one present wins
/// device_type   Device Type, Equipment Type                             e.g. Smartphone, Module, IoT Device
/// </code>
/// The first spelling is this project's own (what <see cref="TacFileWriter"/> writes); the others are the GSMA TAC
/// export's. Blank lines are skipped. A bad line is reported with its number (the header is line 1) and a reason,
/// and then the result holds no entries: an import is all or nothing.
/// </summary>
public static class TacFileParser
{
    /// <summary>Bad lines reported in detail; more are only counted.</summary>
    public const int MaxReportedErrors = 100;

    /// <summary>Most entries one file may have (the GSMA database has a few hundred thousand).</summary>
    public const int MaxEntries = 5_000_000;

    /// <summary>Longest manufacturer, model or device type, in characters.</summary>
    public const int MaxTextLength = 256;

    private static readonly string[][] s_aliases =
    [
        ["tac"],
        ["manufacturer", "brandname", "manufacturerorapplicant"],
        ["model", "modelname", "marketingname"],
        ["devicetype", "equipmenttype"],
    ];

    private static readonly string[] s_columnNames = ["tac", "manufacturer", "model", "device_type"];

    /// <summary>Parses <paramref name="reader"/> to its end.</summary>
    public static TacParseResult Parse(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var entries = new List<TacEntry>();
        var errors = new List<TacLineError>();
        long errorCount = 0;
        var seen = new Dictionary<uint, long>();
        var fields = new List<string>();
        long lineNumber = 0;

        void Bad(long line, string reason)
        {
            errorCount++;
            if (errors.Count < MaxReportedErrors) errors.Add(new TacLineError(line, reason));
        }

        string? header = reader.ReadLine();
        lineNumber = 1;
        if (header is null)
        {
            Bad(1, "the file is empty; the first line must name the columns: tac,manufacturer,model,device_type");
            return new TacParseResult([], errors, errorCount, 0);
        }
        header = header.TrimStart('\uFEFF');
        char delimiter = ChooseDelimiter(header);
        int[] columns = [-1, -1, -1, -1];
        if (!TrySplit(header, delimiter, fields, out string? headerProblem))
        {
            Bad(1, headerProblem!);
            return new TacParseResult([], errors, errorCount, 1);
        }
        for (int c = 0; c < s_aliases.Length; c++)
        {
            foreach (string alias in s_aliases[c])
            {
                int index = fields.FindIndex(f => Normalize(f) == alias);
                if (index >= 0) { columns[c] = index; break; }
            }
        }
        var missing = new List<string>();
        for (int c = 0; c < columns.Length; c++)
            if (columns[c] < 0) missing.Add(s_columnNames[c]);
        if (missing.Count > 0)
        {
            Bad(1, $"the header lacks the column{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing)} (accepted names: tac | TAC; manufacturer | Manufacturer, Brand Name, Manufacturer (or) Applicant; model | Model Name, Marketing Name; device_type | Device Type, Equipment Type)");
            return new TacParseResult([], errors, errorCount, 1);
        }
        int needed = columns.Max() + 1;

        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            if (!TrySplit(line, delimiter, fields, out string? problem))
            {
                Bad(lineNumber, problem!);
                continue;
            }
            if (fields.Count < needed)
            {
                Bad(lineNumber, $"has {fields.Count} field{(fields.Count == 1 ? "" : "s")}, the header names {needed} or more");
                continue;
            }
            string tacText = fields[columns[0]].Trim();
            if (!TryParseTac(tacText, out uint tac))
            {
                Bad(lineNumber, $"TAC '{Shorten(tacText)}' is not 8 digits");
                continue;
            }
            if (!TryText(fields[columns[1]], "manufacturer", out string manufacturer, out problem)
                || !TryText(fields[columns[2]], "model", out string model, out problem)
                || !TryText(fields[columns[3]], "device type", out string deviceType, out problem))
            {
                Bad(lineNumber, problem!);
                continue;
            }
            if (seen.TryGetValue(tac, out long firstLine))
            {
                Bad(lineNumber, $"TAC {tacText} is already on line {firstLine.ToString(CultureInfo.InvariantCulture)}");
                continue;
            }
            if (entries.Count >= MaxEntries)
            {
                Bad(lineNumber, $"more than {MaxEntries:N0} TACs in one file");
                break;
            }
            seen.Add(tac, lineNumber);
            entries.Add(new TacEntry(tac, manufacturer, model, deviceType));
        }
        return errorCount == 0
            ? new TacParseResult(entries, errors, 0, lineNumber)
            : new TacParseResult([], errors, errorCount, lineNumber);
    }

    /// <summary>8 ASCII digits, leading zeros included.</summary>
    public static bool TryParseTac(ReadOnlySpan<char> text, out uint tac)
    {
        tac = 0;
        if (text.Length != 8) return false;
        foreach (char c in text)
        {
            if (c is < '0' or > '9') return false;
            tac = tac * 10 + (uint)(c - '0');
        }
        return true;
    }

    private static bool TryText(string field, string what, out string text, out string? problem)
    {
        text = field.Trim();
        problem = null;
        if (text.Length > MaxTextLength)
        {
            problem = $"the {what} is longer than {MaxTextLength} characters";
            return false;
        }
        foreach (char c in text)
        {
            if (char.IsControl(c))
            {
                problem = $"the {what} has a control character";
                return false;
            }
        }
        return true;
    }

    private static char ChooseDelimiter(string header)
    {
        char best = ',';
        int bestCount = 0;
        foreach (char candidate in (ReadOnlySpan<char>)[',', ';', '|', '\t'])
        {
            int count = header.AsSpan().Count(candidate);
            if (count > bestCount) (best, bestCount) = (candidate, count);
        }
        return best;
    }

    /// <summary>Splits one line into fields; quoted fields may hold the delimiter and "" for a quote.</summary>
    private static bool TrySplit(string line, char delimiter, List<string> fields, out string? problem)
    {
        fields.Clear();
        problem = null;
        var field = new StringBuilder();
        int i = 0;
        while (true)
        {
            field.Clear();
            // Leading spaces before a quote are allowed ("a", "b").
            int start = i;
            while (i < line.Length && line[i] == ' ') i++;
            if (i < line.Length && line[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i >= line.Length)
                    {
                        problem = "a quoted field is not closed on its line";
                        return false;
                    }
                    if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i += 2; continue; }
                        i++;
                        break;
                    }
                    field.Append(line[i++]);
                }
                while (i < line.Length && line[i] == ' ') i++;
                if (i < line.Length && line[i] != delimiter)
                {
                    problem = "text after a quoted field's closing quote";
                    return false;
                }
            }
            else
            {
                i = start;
                while (i < line.Length && line[i] != delimiter) field.Append(line[i++]);
            }
            fields.Add(field.ToString());
            if (i >= line.Length) return true;
            i++; // the delimiter
        }
    }

    private static string Normalize(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (char c in name)
            if (char.IsLetterOrDigit(c)) builder.Append(char.ToLowerInvariant(c));
        return builder.ToString();
    }

    private static string Shorten(string text) => text.Length <= 20 ? text : text[..20] + "…";
}
