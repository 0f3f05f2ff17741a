namespace ImeiEir.Core;

/// <summary>
/// IMSI text as S13 User-Name (TS 29.272 §7.3.3) and N5g-eir SUPI "imsi-..." carry it: MCC (3) + MNC (2–3) + MSIN,
/// at most 15 digits (TS 23.003 §2.2).
/// </summary>
public static class ImsiText
{
    /// <summary>Fewest digits accepted as an IMSI: MCC + a 2-digit MNC.</summary>
    public const int MinDigits = 5;

    /// <summary>Most digits an IMSI has (TS 23.003 §2.2).</summary>
    public const int MaxDigits = 15;

    /// <summary>True when <paramref name="utf8"/> is 5 to 15 ASCII digits.</summary>
    public static bool IsValidImsi(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length is < MinDigits or > MaxDigits) return false;
        foreach (byte b in utf8)
        {
            if ((uint)(b - '0') > 9) return false;
        }
        return true;
    }

    /// <summary>True when <paramref name="text"/> is 5 to 15 ASCII digits.</summary>
    public static bool IsValidImsi(ReadOnlySpan<char> text)
    {
        if (text.Length is < MinDigits or > MaxDigits) return false;
        foreach (char c in text)
        {
            if ((uint)(c - '0') > 9) return false;
        }
        return true;
    }

    /// <summary>
    /// Copies a valid IMSI from UTF-16 to ASCII bytes (for <see cref="DecisionPolicy.Decide"/>); false, and nothing
    /// written, when <paramref name="text"/> is not a valid IMSI or <paramref name="utf8"/> is too short.
    /// </summary>
    public static bool TryCopyToUtf8(ReadOnlySpan<char> text, Span<byte> utf8, out int written)
    {
        if (!IsValidImsi(text) || utf8.Length < text.Length) { written = 0; return false; }
        for (int i = 0; i < text.Length; i++) utf8[i] = (byte)text[i];
        written = text.Length;
        return true;
    }
}
