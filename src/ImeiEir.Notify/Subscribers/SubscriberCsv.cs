using ImeiEir.Notify.Notices;

namespace ImeiEir.Notify.Subscribers;

/// <summary>
/// The subscriber directory's file format, for imports and for the directory's own file:
/// <code>
///   # comment lines and blank lines are skipped
///   imsi,msisdn,iin,language,set      ← header, optional (",set" too)
///   401011234567890,77011234567,900101300123,ru
///   401019876543210,+77027654321,050505600321,kk,altel
/// </code>
/// <c>imsi</c> 5–15 digits; <c>msisdn</c> 7–15 digits, a leading '+' is dropped; <c>iin</c> 12 digits; <c>language</c>
/// <c>ru</c> or <c>kk</c>; <c>set</c>, optional, the template set this subscriber gets (letters, digits, '-', '_'; an
/// import checks it names a usable set), else the one of its home network. Fields may be padded with spaces. An IMSI
/// may appear once per file.
/// </summary>
internal static class SubscriberCsv
{
    public const string Header = "imsi,msisdn,iin,language";

    /// <summary>The header the directory's own file is written with.</summary>
    public const string HeaderWithSet = "imsi,msisdn,iin,language,set";

    /// <summary>One parsed entry, packed (see <see cref="DigitString"/>).</summary>
    public readonly record struct Entry(ulong Imsi, ulong Msisdn, ulong Iin, NoticeLanguage Language, string? Set = null);

    /// <summary>Every good line and every bad one (with its number and reason). Stops reading after <paramref name="maxErrors"/> errors.</summary>
    public static async Task<(List<(int Line, Entry Entry)> Entries, List<SubscriberImportError> Errors)> ParseAsync(
        TextReader reader, CancellationToken ct, int maxErrors = 1000)
    {
        var entries = new List<(int, Entry)>();
        var errors = new List<SubscriberImportError>();
        var firstLineOf = new Dictionary<ulong, int>();
        bool sawData = false;
        int number = 0;
        while (await reader.ReadLineAsync(ct) is string line)
        {
            number++;
            ReadOnlySpan<char> text = line.AsSpan().Trim();
            if (text.IsEmpty || text[0] == '#') continue;
            if (!sawData)
            {
                sawData = true;
                if (IsHeader(text)) continue;
            }
            if (TryParseLine(text, out Entry entry, out string? problem))
            {
                if (firstLineOf.TryGetValue(entry.Imsi, out int first))
                    problem = $"imsi {DigitString.Unpack(entry.Imsi)} is also on line {first}; give each subscriber once";
                else
                {
                    firstLineOf[entry.Imsi] = number;
                    entries.Add((number, entry));
                    continue;
                }
            }
            errors.Add(new SubscriberImportError(number, problem!));
            if (errors.Count >= maxErrors)
            {
                errors.Add(new SubscriberImportError(number, $"stopped after {maxErrors} bad lines"));
                break;
            }
        }
        return (entries, errors);
    }

    public static string Format(in Entry entry) =>
        $"{DigitString.Unpack(entry.Imsi)},{DigitString.Unpack(entry.Msisdn)},{DigitString.Unpack(entry.Iin)},{entry.Language.ToCode()}"
        + (entry.Set is null ? "" : "," + entry.Set);

    private static bool IsHeader(ReadOnlySpan<char> text)
    {
        Span<Range> fields = stackalloc Range[6];
        int count = text.Split(fields, ',');
        if (count is not (4 or 5)) return false;
        ReadOnlySpan<string> names = ["imsi", "msisdn", "iin", "language", "set"];
        for (int i = 0; i < count; i++)
        {
            if (!text[fields[i]].Trim().Equals(names[i], StringComparison.OrdinalIgnoreCase)) return false;
        }
        return true;
    }

    private static bool TryParseLine(ReadOnlySpan<char> text, out Entry entry, out string? problem)
    {
        entry = default;
        Span<Range> fields = stackalloc Range[6];
        int count = text.Split(fields, ',');
        if (count is not (4 or 5))
        {
            problem = $"expected 4 or 5 fields ({Header}[,set]), found {(count == 6 ? "more than 5" : count.ToString(System.Globalization.CultureInfo.InvariantCulture))}";
            return false;
        }
        ReadOnlySpan<char> imsi = text[fields[0]].Trim(), msisdn = text[fields[1]].Trim(), iin = text[fields[2]].Trim(), language = text[fields[3]].Trim();
        if (!DigitString.TryPack(imsi, 5, 15, out ulong imsiKey))
        {
            problem = $"imsi '{Shorten(imsi)}' is not 5 to 15 digits";
            return false;
        }
        if (msisdn.StartsWith('+')) msisdn = msisdn[1..];
        if (!DigitString.TryPack(msisdn, 7, 15, out ulong msisdnKey))
        {
            problem = $"msisdn '{Shorten(text[fields[1]].Trim())}' is not 7 to 15 digits (international format, e.g. 77011234567)";
            return false;
        }
        if (!DigitString.TryPack(iin, 12, 12, out ulong iinKey))
        {
            problem = $"iin '{Shorten(iin)}' is not 12 digits";
            return false;
        }
        if (!NoticeLanguageCodes.TryParse(language, out NoticeLanguage lang))
        {
            problem = $"language '{Shorten(language)}' is not ru or kk" + (language.Equals("kz", StringComparison.OrdinalIgnoreCase) ? " (Kazakh is kk)" : "");
            return false;
        }
        string? set = null;
        if (count == 5)
        {
            ReadOnlySpan<char> name = text[fields[4]].Trim();
            if (name.IsEmpty || name.Length > 32 || name.ContainsAnyExcept(SetNameChars))
            {
                problem = $"set '{Shorten(name)}' is not a template set name (1 to 32 letters, digits, '-' or '_')";
                return false;
            }
            set = string.Intern(name.ToString()); // a few names shared by millions of entries
        }
        entry = new Entry(imsiKey, msisdnKey, iinKey, lang, set);
        problem = null;
        return true;
    }

    private static readonly System.Buffers.SearchValues<char> SetNameChars =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_");

    private static string Shorten(ReadOnlySpan<char> text) => text.Length <= 40 ? text.ToString() : string.Concat(text[..40], "…");
}
