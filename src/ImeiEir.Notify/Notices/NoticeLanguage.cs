namespace ImeiEir.Notify.Notices;

/// <summary>The subscriber's language, as the directory gives it (<c>ru</c> or <c>kk</c>). Journal values: never renumber.</summary>
public enum NoticeLanguage : byte
{
    /// <summary><c>ru</c>: the Russian column of the seed.</summary>
    Russian = 1,

    /// <summary><c>kk</c>: the Kazakh column of the seed.</summary>
    Kazakh = 2,
}
