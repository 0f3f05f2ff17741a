using System.Text;
using ImeiEir.Notify.Notices;

namespace ImeiEir.Notify.Texts;

/// <summary>
/// The template set file format (UTF-8, one entry a line):
/// <code>
///   # comment lines (a line of their own) and blank lines are skipped
///   set: altel
///   iin-label ru: ИИН
///   grey-start ru: Вам предоставлен ... до ДД.ММ.ГГГГ ...\nЧтобы ...
///   grey-start kk: =ru
/// </code>
/// <c>set:</c>, the set's name (letters, digits, '-', '_'), comes first; <c>iin-label</c> is what [iinru] prints before
/// the 12 digits; <c>=ru</c> sends this language the set's text in another language.
/// A text is a kind's name (<see cref="NoticeNames.ToName(NoticeKind)"/>), a language code (<c>ru</c>, <c>kk</c>), a
/// colon and the text on the rest of the line: <c>\n</c> is a line feed, <c>\\</c> a backslash. Placeholders:
/// <c>[imei]</c>, <c>[msisdn]</c>, <c>[iinru]</c>, <c>ДД.ММ.ГГГГ</c> (the grey deadline) and
/// <c>[ссылка на Обязательства]</c> (<c>Notify:CommitmentsUrls:{set}</c>); any other <c>[...]</c> is refused. A kind
/// the set gives must be given in every language; a kind it does not give is the default set's.
/// </summary>
internal static class TemplateSetFile
{
    public const string ImeiPlaceholder = "[imei]";
    public const string MsisdnPlaceholder = "[msisdn]";
    public const string IinPlaceholder = "[iinru]";
    public const string DatePlaceholder = "ДД.ММ.ГГГГ";
    public const string CommitmentsPlaceholder = "[ссылка на Обязательства]";

    private static readonly string[] s_placeholders = [ImeiPlaceholder, MsisdnPlaceholder, IinPlaceholder, CommitmentsPlaceholder];
    private static readonly NoticeLanguage[] s_languages = [NoticeLanguage.Russian, NoticeLanguage.Kazakh];

    /// <summary>Parses and checks one set.</summary>
    /// <exception cref="InvalidDataException">One line: the source, the line or text, and what is wrong.</exception>
    public static TemplateSet Parse(string source, string content)
    {
        string? name = null;
        var texts = new Dictionary<(NoticeKind, NoticeLanguage), string>();
        var references = new Dictionary<(NoticeKind, NoticeLanguage), (NoticeLanguage To, int Line)>();
        var labels = new Dictionary<NoticeLanguage, string>();
        var lineOf = new Dictionary<(string, NoticeLanguage), int>();
        string[] lines = content.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            int number = i + 1;
            string line = lines[i].Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0) throw Bad(source, number, "expected 'kind language: text' or 'set: name'");
            string head = line[..colon].Trim();
            string value = line[(colon + 1)..].Trim();
            if (head == "set")
            {
                if (name is not null) throw Bad(source, number, "a second 'set:' line");
                if (value.Length == 0 || !value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
                    throw Bad(source, number, $"set name '{value}' is not letters, digits, '-' or '_'");
                name = value;
                continue;
            }
            if (name is null) throw Bad(source, number, "the first entry must be 'set: name'");
            string[] parts = head.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2) throw Bad(source, number, $"'{head}' is not 'kind language' (e.g. 'grey-start ru')");
            if (!NoticeLanguageCodes.TryParse(parts[1], out NoticeLanguage language))
                throw Bad(source, number, $"{head}: language '{parts[1]}' is not ru or kk");
            if (lineOf.TryGetValue((parts[0], language), out int first))
                throw Bad(source, number, $"{head}: given again (first on line {first})");
            lineOf[(parts[0], language)] = number;
            if (value.Length == 0) throw Bad(source, number, $"{head}: the text is empty");
            if (parts[0] == "iin-label")
            {
                labels[language] = value;
                continue;
            }
            if (!NoticeNames.TryParseKind(parts[0], out NoticeKind kind))
                throw Bad(source, number, $"{head}: '{parts[0]}' is not a notice kind ({string.Join(", ", Enum.GetValues<NoticeKind>().Select(k => k.ToName()))}) or iin-label");
            if (value.Length == 3 && value[0] == '=')
            {
                if (!NoticeLanguageCodes.TryParse(value.AsSpan(1), out NoticeLanguage to) || to == language)
                    throw Bad(source, number, $"{head}: '{value}' does not name another language");
                references[(kind, language)] = (to, number);
                continue;
            }
            string text = Unescape(value, source, number, head);
            Check(source, number, head, kind, text);
            texts[(kind, language)] = text;
        }
        if (name is null) throw new InvalidDataException($"{source}: no 'set: name' line");
        foreach (((NoticeKind kind, NoticeLanguage language), (NoticeLanguage to, int line)) in references)
        {
            if (!texts.TryGetValue((kind, to), out string? text))
                throw Bad(source, line, $"{kind.ToName()} {language.ToCode()}: '={to.ToCode()}' but there is no {kind.ToName()} {to.ToCode()} text");
            texts[(kind, language)] = text;
        }
        foreach (NoticeKind kind in texts.Keys.Select(k => k.Item1).Distinct().ToList())
        {
            foreach (NoticeLanguage language in s_languages)
            {
                if (!texts.ContainsKey((kind, language)))
                    throw new InvalidDataException($"{source}: {kind.ToName()} has no {language.ToCode()} text (give one, or '{kind.ToName()} {language.ToCode()}: =ru' to send the Russian one)");
            }
        }
        if (labels.Count == 1)
            throw new InvalidDataException($"{source}: iin-label has no {(labels.ContainsKey(NoticeLanguage.Russian) ? "kk" : "ru")} text");
        return new TemplateSet(name, source, texts, labels);
    }

    /// <summary>Every placeholder known; the device named where the notice is about one; the date where it has one.</summary>
    private static void Check(string source, int number, string head, NoticeKind kind, string text)
    {
        int at = 0;
        while ((at = text.IndexOf('[', at)) >= 0)
        {
            int end = text.IndexOf(']', at);
            string token = end < 0 ? text[at..] : text[at..(end + 1)];
            if (!s_placeholders.Contains(token))
                throw Bad(source, number, $"{head}: unknown placeholder {Shorten(token)} (known: {string.Join(", ", s_placeholders)}, {DatePlaceholder})");
            at += token.Length;
        }
        if (kind is not (NoticeKind.ImeiHelp or NoticeKind.StatusHelp) && !text.Contains(ImeiPlaceholder, StringComparison.Ordinal))
            throw Bad(source, number, $"{head}: lacks {ImeiPlaceholder}");
        if (kind.NeedsDeadline() && !text.Contains(DatePlaceholder, StringComparison.Ordinal))
            throw Bad(source, number, $"{head}: lacks {DatePlaceholder} (the grey deadline)");
    }

    private static string Unescape(string value, string source, int number, string head)
    {
        if (!value.Contains('\\', StringComparison.Ordinal)) return value;
        var text = new StringBuilder(value.Length);
        for (int i = 0; i < value.Length; i++)
        {
            if (value[i] != '\\') { text.Append(value[i]); continue; }
            char next = i + 1 < value.Length ? value[i + 1] : ' ';
            if (next == 'n') text.Append('\n');
            else if (next == '\\') text.Append('\\');
            else throw Bad(source, number, $"{head}: '\\{next}' is not \\n or \\\\");
            i++;
        }
        return text.ToString();
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 40), "…");

    private static InvalidDataException Bad(string source, int line, string message) => new($"{source}:{line}: {message}");
}
