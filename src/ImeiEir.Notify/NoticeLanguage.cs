namespace ImeiEir.Notify;

/// <summary>The subscriber's language, as the directory gives it (<c>ru</c> or <c>kk</c>). Journal values: never renumber.</summary>
public enum NoticeLanguage : byte
{
    /// <summary><c>ru</c>: the Russian column of the seed.</summary>
    Russian = 1,

    /// <summary><c>kk</c>: the Kazakh column of the seed.</summary>
    Kazakh = 2,
}

/// <summary>The directory's language codes (ISO 639-1).</summary>
public static class NoticeLanguageCodes
{
    /// <summary><c>ru</c> or <c>kk</c>.</summary>
    public static string ToCode(this NoticeLanguage language) => language == NoticeLanguage.Kazakh ? "kk" : "ru";

    /// <summary>Parses <c>ru</c> or <c>kk</c> (any case).</summary>
    public static bool TryParse(ReadOnlySpan<char> code, out NoticeLanguage language)
    {
        if (code.Equals("ru", StringComparison.OrdinalIgnoreCase)) { language = NoticeLanguage.Russian; return true; }
        if (code.Equals("kk", StringComparison.OrdinalIgnoreCase)) { language = NoticeLanguage.Kazakh; return true; }
        language = default;
        return false;
    }
}
