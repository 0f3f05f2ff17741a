namespace ImeiEir.Notify.Notices;

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
