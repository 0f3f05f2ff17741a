using ImeiEir.Notify.Notices;

namespace ImeiEir.Notify.Texts;

/// <summary>
/// One operator brand's notice texts, as its file gives them (<see cref="TemplateSetFile"/>): a text per notice kind
/// and language, and the IIN label per language. A kind or label the set lacks is the default set's
/// (<see cref="NoticeTemplates"/>).
/// </summary>
public sealed class TemplateSet
{
    internal TemplateSet(string name, string source, Dictionary<(NoticeKind, NoticeLanguage), string> texts,
        Dictionary<NoticeLanguage, string> iinLabels)
    {
        Name = name;
        Source = source;
        Texts = texts;
        IinLabels = iinLabels;
    }

    /// <summary>The set's name (its <c>set:</c> line), as configuration and the subscriber directory name it.</summary>
    public string Name { get; }

    /// <summary>Where it came from: <c>embedded:tele2.txt</c> or the file's path.</summary>
    public string Source { get; }

    internal Dictionary<(NoticeKind, NoticeLanguage), string> Texts { get; }

    internal Dictionary<NoticeLanguage, string> IinLabels { get; }

    /// <summary>True when this set itself has a text for <paramref name="kind"/> (without the default's).</summary>
    public bool Has(NoticeKind kind) => Texts.ContainsKey((kind, NoticeLanguage.Russian));

    /// <summary>The kinds this set has a text for.</summary>
    public IEnumerable<NoticeKind> Kinds => Texts.Keys.Select(k => k.Item1).Distinct().Order();

    /// <summary>True when one of its texts names the commitments link, so the set needs <c>Notify:CommitmentsUrls:{Name}</c>.</summary>
    public bool NeedsCommitmentsUrl => Texts.Values.Any(t => t.Contains(TemplateSetFile.CommitmentsPlaceholder, StringComparison.Ordinal));

    /// <summary>The text as stored, placeholders unfilled; null when the set has none for the kind.</summary>
    public string? Text(NoticeKind kind, NoticeLanguage language) => Texts.GetValueOrDefault((kind, language));
}
