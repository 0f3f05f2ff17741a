using System.Text.RegularExpressions;
using ImeiEir.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace ImeiEir.Node.Http;

/// <summary>
/// The query of TS 29.511 GetEquipmentStatus read and checked against TS 29.571's types: <c>pei</c> (required),
/// <c>supi</c>, <c>gpsi</c> and <c>supported-features</c> (optional). Each is given at most once; an optional one that
/// is given is not empty (<c>supi=</c> is no SUPI) and is printable text.
/// </summary>
internal static partial class N5gEirQuery
{
    /// <summary>
    /// The first bad parameter: <paramref name="Param"/> is its TS 29.571 InvalidParam name, <c>"query " + name</c>
    /// for a query parameter; <paramref name="Cause"/> is the TS 29.500 §5.2.7.2 cause.
    /// </summary>
    internal readonly record struct Problem(string Title, string Detail, string Cause, string Param);

    private const string Missing = "MANDATORY_QUERY_PARAM_MISSING";
    private const string MandatoryIncorrect = "MANDATORY_QUERY_PARAM_INCORRECT";
    private const string OptionalIncorrect = "OPTIONAL_QUERY_PARAM_INCORRECT";

    /// <summary>
    /// Reads the PEI and, from an <c>imsi-</c> SUPI, the IMSI into <paramref name="imsi"/>; null when every parameter
    /// is valid, else the first problem.
    /// </summary>
    public static Problem? Read(IQueryCollection query, Span<byte> imsi, out Imei imei, out ImeiParseResult parse, out int imsiLength)
    {
        imei = default;
        parse = ImeiParseResult.Malformed;
        imsiLength = 0;

        StringValues pei = query["pei"];
        if (pei.Count == 0 || string.IsNullOrEmpty(pei[0]))
            return new("Missing pei", "the query parameter pei (imei-<15 digits> or imeisv-<16 digits>) is required", Missing, "query pei");
        if (pei.Count > 1)
            return new("Bad pei", "pei is given more than once", MandatoryIncorrect, "query pei");
        if (!TryParsePei(pei[0]!, out imei, out parse, out string? peiProblem))
            return new("Bad pei", peiProblem!, MandatoryIncorrect, "query pei");

        if (Optional(query, "supi", out string? supi) is { } supiProblem)
            return supiProblem;
        if (supi is not null && !TryParseSupi(supi, imsi, out imsiLength, out string? supiText))
            return new("Bad supi", supiText!, OptionalIncorrect, "query supi");

        if (Optional(query, "gpsi", out string? gpsi) is { } gpsiProblem)
            return gpsiProblem;
        if (gpsi is not null && !IsPrintable(gpsi))
            return new("Bad gpsi", $"'{Shown(gpsi)}' is not a GPSI: it holds control characters, spaces or U+FFFD", OptionalIncorrect, "query gpsi");

        // TS 29.571 SupportedFeatures: a hexadecimal bit mask, which may be empty.
        StringValues features = query["supported-features"];
        if (features.Count > 1)
            return new("Bad supported-features", "supported-features is given more than once", OptionalIncorrect, "query supported-features");
        if (features.Count == 1 && !HexMask().IsMatch(features[0] ?? ""))
            return new("Bad supported-features", $"'{Shown(features[0]!)}' is not a hexadecimal feature mask (^[A-Fa-f0-9]*$)", OptionalIncorrect, "query supported-features");
        return null;
    }

    /// <summary>
    /// TS 29.571 Pei: <c>imei-</c> + 15 digits (the check digit included: a wrong one is rule 5, BLACKLISTED, not an
    /// error) or <c>imeisv-</c> + 16 digits. Other PEI kinds (MAC addresses, EUI-64) are not IMEIs and are refused.
    /// </summary>
    internal static bool TryParsePei(string pei, out Imei imei, out ImeiParseResult parse, out string? problem)
    {
        imei = default;
        parse = ImeiParseResult.Malformed;
        ReadOnlySpan<char> digits;
        int expected;
        if (pei.StartsWith("imei-", StringComparison.Ordinal)) { digits = pei.AsSpan(5); expected = 15; }
        else if (pei.StartsWith("imeisv-", StringComparison.Ordinal)) { digits = pei.AsSpan(7); expected = 16; }
        else
        {
            problem = $"'{Shown(pei)}' is not an IMEI PEI: expected imei-<15 digits> or imeisv-<16 digits>";
            return false;
        }
        if (digits.Length != expected || (parse = Imei.TryParse(digits, out imei)) == ImeiParseResult.Malformed)
        {
            parse = ImeiParseResult.Malformed;
            problem = $"'{Shown(pei)}': {(expected == 15 ? "imei- takes 15 digits" : "imeisv- takes 16 digits")}";
            return false;
        }
        problem = null;
        return true;
    }

    /// <summary>
    /// TS 29.571 Supi: <c>imsi-</c> + 5 to 15 digits gives the IMSI; <c>nai-</c>, <c>gci-</c> and <c>gli-</c> are valid
    /// but carry none. Their text must be printable: TS 29.571's pattern (<c>nai-.+</c>) would let a NUL or an
    /// undecodable byte through, which no NAI (RFC 7542: UTF-8 without controls or spaces) or line identifier holds.
    /// </summary>
    internal static bool TryParseSupi(string supi, Span<byte> imsi, out int length, out string? problem)
    {
        length = 0;
        problem = null;
        if (supi.StartsWith("imsi-", StringComparison.Ordinal) && ImsiText.TryCopyToUtf8(supi.AsSpan(5), imsi, out length)) return true;
        if (IsPrintable(supi) && (supi.StartsWith("nai-", StringComparison.Ordinal) || supi.StartsWith("gci-", StringComparison.Ordinal)
                || supi.StartsWith("gli-", StringComparison.Ordinal)) && supi.Length > 4)
            return true; // no IMSI: not a roamer
        problem = IsPrintable(supi)
            ? $"'{Shown(supi)}' is not a SUPI: expected imsi-<5 to 15 digits>, nai-<NAI>, gci-<...> or gli-<...>"
            : $"'{Shown(supi)}' is not a SUPI: it holds control characters, spaces or U+FFFD";
        return false;
    }

    // An optional parameter given at most once and, when given, not empty.
    private static Problem? Optional(IQueryCollection query, string name, out string? value)
    {
        value = null;
        StringValues values = query[name];
        if (values.Count == 0)
            return null;
        if (values.Count > 1)
            return new($"Bad {name}", $"{name} is given more than once", OptionalIncorrect, "query " + name);
        if (string.IsNullOrEmpty(values[0]))
            return new($"Bad {name}", $"{name} is empty: leave it out or give a value", OptionalIncorrect, "query " + name);
        value = values[0];
        return null;
    }

    // No control characters (NUL, DEL, C1), no white space, and no U+FFFD, a decoder's stand-in for bytes that were not
    // UTF-8: an identifier never holds one. (ASP.NET Core's query decoder keeps an escape that is not UTF-8, such as
    // %ff alone, as its three characters of text: printable, and harmless where no IMSI is read from it.)
    private static bool IsPrintable(ReadOnlySpan<char> text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsControl(c) || char.IsWhiteSpace(c) || c == '\uFFFD')
                return false;
            if (char.IsSurrogate(c))
            {
                if (!char.IsHighSurrogate(c) || i + 1 == text.Length || !char.IsLowSurrogate(text[i + 1]))
                    return false;
                i++;
            }
        }
        return true;
    }

    // Quoted back to the client in a problem body: shortened, and control characters written as \uXXXX so that the
    // detail stays one readable line.
    private static string Shown(string text)
    {
        string shortened = text.Length <= 40 ? text : text[..40] + "…";
        if (!shortened.Any(char.IsControl))
            return shortened;
        var escaped = new System.Text.StringBuilder(shortened.Length + 8);
        foreach (char c in shortened)
            escaped.Append(char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString());
        return escaped.ToString();
    }

    [GeneratedRegex("^[A-Fa-f0-9]*$")]
    private static partial Regex HexMask();
}
