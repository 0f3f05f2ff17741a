using System.Globalization;
using System.Text;
using ImeiEir.Core;
using ImeiEir.Notify.Notices;
using ImeiEir.Notify.Subscribers;

namespace ImeiEir.Notify.Texts;

/// <summary>
/// The notice texts: template sets per operator brand (<see cref="TemplateSet"/>), the shipped ones embedded
/// (<c>Templates/Sets/*.txt</c>: <c>tele2</c>, <c>altel</c>) and the operator's own from <c>Notify:TemplateSets</c>,
/// and their placeholders filled:
/// <code>
///   [imei]                      the 15-digit IMEI with its check digit    352099001761481
///   [msisdn]                    the subscriber's number, as the directory   77011234567
///   [iinru]                     the set's iin-label, a space, the IIN       ИИН 900101300123  /  ЖСН 900101300123
///   ДД.ММ.ГГГГ                  the grey deadline's local date              24.12.2026
///   [ссылка на Обязательства]   Notify:CommitmentsUrls:{set}                https://example.kz/obligations
/// </code>
/// A subscriber's set is the one its directory entry names, else the one <c>Notify:NetworkTemplateSets</c> gives its
/// IMSI's MCC+MNC, else <c>Notify:DefaultTemplateSet</c>; a kind the chosen set lacks is the default set's. Loaded and
/// checked once at start-up: a bad file, an unknown set or a missing URL stops it with one line.
/// </summary>
public sealed class NoticeTemplates
{
    internal const string ImeiPlaceholder = TemplateSetFile.ImeiPlaceholder;
    internal const string DatePlaceholder = TemplateSetFile.DatePlaceholder;

    /// <summary>The kinds every default set must have: the ones the registry's events make.</summary>
    private static readonly NoticeKind[] s_required = [NoticeKind.GreyStart, NoticeKind.DailyReminder, NoticeKind.Blacklisted, NoticeKind.BlockedAttach];

    /// <summary>The shipped sets, embedded from <c>Templates/Sets/</c>.</summary>
    public static readonly IReadOnlyList<string> ShippedSets = ["tele2", "altel"];

    private readonly Dictionary<string, TemplateSet> _sets;
    private readonly Dictionary<string, string> _byNetwork;
    private readonly Dictionary<string, string> _urls;

    private NoticeTemplates(Dictionary<string, TemplateSet> sets, TemplateSet defaultSet, Dictionary<string, string> byNetwork, Dictionary<string, string> urls)
    {
        _sets = sets;
        Default = defaultSet;
        _byNetwork = byNetwork;
        _urls = urls;
    }

    /// <summary>The set a kind falls back to.</summary>
    public TemplateSet Default { get; }

    /// <summary>Every set loaded, by name.</summary>
    public IReadOnlyDictionary<string, TemplateSet> Sets => _sets;

    /// <summary>The shipped sets with the default options (the default set <c>tele2</c>, no networks, no URLs).</summary>
    public static NoticeTemplates Load() => Load(new NotifyOptions());

    /// <summary>The shipped sets and <see cref="NotifyOptions.TemplateSets"/>, every text checked.</summary>
    /// <exception cref="InvalidDataException">One line naming the file (or the key) and the text.</exception>
    public static NoticeTemplates Load(NotifyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var sets = new Dictionary<string, TemplateSet>(StringComparer.Ordinal);
        foreach (string shipped in ShippedSets)
        {
            string resource = $"ImeiEir.Notify.Templates.Sets.{shipped}.txt";
            using Stream stream = typeof(NoticeTemplates).Assembly.GetManifestResourceStream(resource)
                ?? throw new InvalidDataException($"embedded resource {resource} is missing (a build mistake)");
            using var reader = new StreamReader(stream, Encoding.UTF8);
            TemplateSet set = TemplateSetFile.Parse($"embedded:{shipped}.txt", reader.ReadToEnd());
            sets[set.Name] = set;
        }
        foreach (string path in options.TemplateSets)
        {
            string content;
            try
            {
                content = File.ReadAllText(path, Encoding.UTF8);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new InvalidDataException($"{NotifyOptions.Section}:{nameof(NotifyOptions.TemplateSets)}: cannot read {path}: {e.Message}");
            }
            // An operator's file replaces a shipped set of the same name (its wording wins); two files may not collide.
            TemplateSet set = TemplateSetFile.Parse(path, content);
            if (sets.TryGetValue(set.Name, out TemplateSet? other) && !other.Source.StartsWith("embedded:", StringComparison.Ordinal))
                throw new InvalidDataException($"{path}: set '{set.Name}' is also {other.Source}");
            sets[set.Name] = set;
        }

        string key = $"{NotifyOptions.Section}:{nameof(NotifyOptions.DefaultTemplateSet)}";
        if (!sets.TryGetValue(options.DefaultTemplateSet, out TemplateSet? defaultSet))
            throw new InvalidDataException($"{key}: no template set '{options.DefaultTemplateSet}' (have: {string.Join(", ", sets.Keys.Order())})");
        foreach (NoticeKind kind in s_required)
        {
            if (!defaultSet.Has(kind))
                throw new InvalidDataException($"{key}: set '{defaultSet.Name}' ({defaultSet.Source}) has no {kind.ToName()} text; the default set needs every notice the registry makes");
        }
        if (defaultSet.IinLabels.Count == 0)
            throw new InvalidDataException($"{key}: set '{defaultSet.Name}' ({defaultSet.Source}) has no iin-label; the default set needs one");

        var urls = new Dictionary<string, string>(options.CommitmentsUrls, StringComparer.Ordinal);
        foreach (string name in urls.Keys)
        {
            if (!sets.ContainsKey(name))
                throw new InvalidDataException($"{NotifyOptions.Section}:{nameof(NotifyOptions.CommitmentsUrls)}:{name}: no template set '{name}'");
        }
        var templates = new NoticeTemplates(sets, defaultSet, new Dictionary<string, string>(options.NetworkTemplateSets, StringComparer.Ordinal), urls);
        foreach ((string network, string name) in options.NetworkTemplateSets)
        {
            if (templates.Problem(name) is string problem)
                throw new InvalidDataException($"{NotifyOptions.Section}:{nameof(NotifyOptions.NetworkTemplateSets)}:{network}: {problem}");
        }
        if (templates.Problem(defaultSet.Name) is string defaultProblem)
            throw new InvalidDataException($"{key}: {defaultProblem}");
        return templates;
    }

    /// <summary>Why a subscriber cannot be given set <paramref name="name"/> (unknown, or its URL not configured); null when it can.</summary>
    public string? Problem(string name)
    {
        if (!_sets.TryGetValue(name, out TemplateSet? set))
            return $"no template set '{name}' (have: {string.Join(", ", _sets.Keys.Order())})";
        if (set.NeedsCommitmentsUrl && !_urls.ContainsKey(name))
            return $"set '{name}' uses {TemplateSetFile.CommitmentsPlaceholder}: give its URL as {NotifyOptions.Section}:{nameof(NotifyOptions.CommitmentsUrls)}:{name}";
        return null;
    }

    /// <summary>
    /// The set of a subscriber: the one its directory entry names (<paramref name="directorySet"/>), else the one of its
    /// home network (the longest MCC+MNC prefix of <paramref name="imsi"/> in <c>Notify:NetworkTemplateSets</c>), else the
    /// default. A name that is no longer usable (its file removed, its URL unset) is passed over, never a failure.
    /// </summary>
    public TemplateSet For(string imsi, string? directorySet)
    {
        if (directorySet is not null && Problem(directorySet) is null) return _sets[directorySet];
        if (imsi is { Length: >= 6 } && _byNetwork.TryGetValue(imsi[..6], out string? six) && Problem(six) is null) return _sets[six];
        if (imsi is { Length: >= 5 } && _byNetwork.TryGetValue(imsi[..5], out string? five) && Problem(five) is null) return _sets[five];
        return Default;
    }

    /// <summary>The subscriber's set (<see cref="For(string, string?)"/>).</summary>
    public TemplateSet For(Subscriber subscriber)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        return For(subscriber.Imsi, subscriber.TemplateSet);
    }

    /// <summary>True when <paramref name="set"/>, or the default it falls back to, has a text for <paramref name="kind"/>.</summary>
    public bool Has(TemplateSet set, NoticeKind kind)
    {
        ArgumentNullException.ThrowIfNull(set);
        return set.Has(kind) || Default.Has(kind);
    }

    /// <summary>The default set's template as stored, placeholders unfilled (for tests and documentation).</summary>
    public string Template(NoticeKind kind, NoticeLanguage language) => Template(Default, kind, language);

    /// <summary>The template <paramref name="set"/> gives (or its default), placeholders unfilled.</summary>
    public string Template(TemplateSet set, NoticeKind kind, NoticeLanguage language)
    {
        ArgumentNullException.ThrowIfNull(set);
        return set.Text(kind, language) ?? Default.Text(kind, language)
            ?? throw new ArgumentOutOfRangeException(nameof(kind), $"no {language} text for {kind} in set '{set.Name}' or the default '{Default.Name}'");
    }

    /// <summary>The default set's text to send, every placeholder filled.</summary>
    public string Render(NoticeKind kind, NoticeLanguage language, Imei imei, string msisdn, string iin, DateOnly deadlineDate) =>
        Render(Default, kind, language, imei, msisdn, iin, deadlineDate);

    /// <summary>The text to send, every placeholder filled.</summary>
    /// <param name="set">The subscriber's set (<see cref="For(Subscriber)"/>); a kind it lacks is the default's.</param>
    /// <param name="kind">Which notice.</param>
    /// <param name="language">Which column of the seed.</param>
    /// <param name="imei">Printed with its check digit (15 digits).</param>
    /// <param name="msisdn">Printed as given.</param>
    /// <param name="iin">Printed after the language's IIN label.</param>
    /// <param name="deadlineDate">The deadline's date in local time; ignored by the kinds without one.</param>
    public string Render(TemplateSet set, NoticeKind kind, NoticeLanguage language, Imei imei, string msisdn, string iin, DateOnly deadlineDate)
    {
        ArgumentNullException.ThrowIfNull(set);
        TemplateSet owner = set.Has(kind) ? set : Default;
        string label = owner.IinLabels.GetValueOrDefault(language) ?? Default.IinLabels[language];
        var text = new StringBuilder(Template(set, kind, language));
        text.Replace(TemplateSetFile.ImeiPlaceholder, imei.ToString())
            .Replace(TemplateSetFile.MsisdnPlaceholder, msisdn)
            .Replace(TemplateSetFile.IinPlaceholder, label + " " + iin)
            .Replace(TemplateSetFile.DatePlaceholder, deadlineDate.ToString("dd.MM.yyyy", CultureInfo.InvariantCulture))
            .Replace(TemplateSetFile.CommitmentsPlaceholder, _urls.GetValueOrDefault(owner.Name, ""));
        return text.ToString();
    }

    /// <summary>Grey start and the daily reminder name the deadline; the black notices do not.</summary>
    public static bool NeedsDeadline(NoticeKind kind) => kind.NeedsDeadline();
}
