using System.Globalization;
using System.Resources;
using System.Text;
using ImeiEir.Core;
using ImeiEir.Notify.Notices;

namespace ImeiEir.Notify.Texts;

/// <summary>
/// The SMS texts, from the embedded resources <c>Templates/Russian.resx</c> and <c>Templates/Kazakh.resx</c> (kept
/// out of code so the operator's wording can change without touching logic), and their placeholders filled:
/// <code>
///   [imei]       the 15-digit IMEI with its check digit    352099001761481
///   [msisdn]     the subscriber's number, as the directory   77011234567
///   [iinru]      IinLabel, a space, the 12-digit IIN         ИИН 900101300123  /  ЖСН 900101300123
///   ДД.ММ.ГГГГ   the grey deadline's local date              24.12.2026
/// </code>
/// Loaded and checked once: a missing text or placeholder is a build mistake and fails at start-up, not at the first SMS.
/// </summary>
public sealed class NoticeTemplates
{
    internal const string ImeiPlaceholder = "[imei]";
    internal const string MsisdnPlaceholder = "[msisdn]";
    internal const string IinPlaceholder = "[iinru]";
    internal const string DatePlaceholder = "ДД.ММ.ГГГГ";

    private static readonly NoticeKind[] s_kinds = [NoticeKind.GreyStart, NoticeKind.DailyReminder, NoticeKind.Blacklisted, NoticeKind.BlockedAttach];

    private readonly Dictionary<(NoticeKind, NoticeLanguage), string> _texts = [];
    private readonly Dictionary<NoticeLanguage, string> _iinLabels = [];

    private NoticeTemplates()
    {
    }

    /// <summary>The embedded texts, every one checked for its placeholders.</summary>
    public static NoticeTemplates Load()
    {
        var templates = new NoticeTemplates();
        foreach ((NoticeLanguage language, string resource) in new[] { (NoticeLanguage.Russian, "Russian"), (NoticeLanguage.Kazakh, "Kazakh") })
        {
            var resources = new ResourceManager($"ImeiEir.Notify.Templates.{resource}", typeof(NoticeTemplates).Assembly);
            templates._iinLabels[language] = Required(resources, "IinLabel", resource);
            foreach (NoticeKind kind in s_kinds)
            {
                string text = Required(resources, kind.ToString(), resource);
                if (!text.Contains(ImeiPlaceholder, StringComparison.Ordinal))
                    throw new InvalidDataException($"Templates/{resource}.resx: {kind} lacks {ImeiPlaceholder}");
                if (NeedsDeadline(kind) && !text.Contains(DatePlaceholder, StringComparison.Ordinal))
                    throw new InvalidDataException($"Templates/{resource}.resx: {kind} lacks {DatePlaceholder}");
                templates._texts[(kind, language)] = text;
            }
        }
        return templates;
    }

    /// <summary>Grey start and the daily reminder name the deadline; the black notices do not.</summary>
    public static bool NeedsDeadline(NoticeKind kind) => kind.NeedsDeadline();

    /// <summary>The template as stored, placeholders unfilled (for tests and documentation).</summary>
    public string Template(NoticeKind kind, NoticeLanguage language) =>
        _texts.TryGetValue((kind, language), out string? text) ? text : throw new ArgumentOutOfRangeException(nameof(kind), $"no {language} text for {kind}");

    /// <summary>The text to send, every placeholder filled.</summary>
    /// <param name="kind">Which text.</param>
    /// <param name="language">Which column of the seed.</param>
    /// <param name="imei">Printed with its check digit (15 digits).</param>
    /// <param name="msisdn">Printed as given.</param>
    /// <param name="iin">Printed after the language's IIN label.</param>
    /// <param name="deadlineDate">The deadline's date in local time; ignored by the kinds without one.</param>
    public string Render(NoticeKind kind, NoticeLanguage language, Imei imei, string msisdn, string iin, DateOnly deadlineDate)
    {
        var text = new StringBuilder(Template(kind, language));
        text.Replace(ImeiPlaceholder, imei.ToString())
            .Replace(MsisdnPlaceholder, msisdn)
            .Replace(IinPlaceholder, _iinLabels[language] + " " + iin)
            .Replace(DatePlaceholder, deadlineDate.ToString("dd.MM.yyyy", CultureInfo.InvariantCulture));
        return text.ToString();
    }

    private static string Required(ResourceManager resources, string name, string resource) =>
        resources.GetString(name, CultureInfo.InvariantCulture) is { Length: > 0 } text
            ? text
            : throw new InvalidDataException($"Templates/{resource}.resx has no text '{name}'");
}
