namespace ImeiEir.Core;

/// <summary>
/// The external spellings of lists, reasons and statuses: the words used in CSV files, deltas, the HTTP API
/// and the CLI. One table each way so that every surface agrees.
/// </summary>
public static class Names
{
    private static readonly string[] s_lists = ["none", "white", "grey", "black"];

    private static readonly string[] s_reasons =
    [
        "none", "verified", "legacy", "imported", "manufactured", "service-replacement", "stolen",
        "counterfeit", "illegal-import", "invalid-imei", "grey-expired", "admin", "unverified", "cloned",
    ];

    private static readonly string[] s_statuses = ["WHITELISTED", "BLACKLISTED", "GREYLISTED"];

    public static string ToName(this ListKind list) => s_lists[(int)list];

    public static string ToName(this Reason reason) => s_reasons[(int)reason];

    public static string ToName(this EquipmentStatus status) => s_statuses[(int)status];

    /// <summary>Parses "white" | "grey" | "black" (case-insensitive; "gray" accepted).</summary>
    public static bool TryParseList(ReadOnlySpan<char> text, out ListKind list)
    {
        text = text.Trim();
        if (text.Equals("white", StringComparison.OrdinalIgnoreCase)) { list = ListKind.White; return true; }
        if (text.Equals("grey", StringComparison.OrdinalIgnoreCase) || text.Equals("gray", StringComparison.OrdinalIgnoreCase)) { list = ListKind.Grey; return true; }
        if (text.Equals("black", StringComparison.OrdinalIgnoreCase)) { list = ListKind.Black; return true; }
        list = ListKind.None;
        return false;
    }

    // Reasons a record can carry: every one up to unverified. Cloned is a decision's reason only (rule 2a), so a
    // delta cannot write it and the codecs, which refuse larger values, never meet it.
    private const int RecordReasons = (int)Reason.Unverified + 1;

    /// <summary>
    /// Parses a record's reason name such as "service-replacement" (case-insensitive; "_" accepted for "-"). "cloned",
    /// a decision's reason only, is not one.
    /// </summary>
    public static bool TryParseReason(ReadOnlySpan<char> text, out Reason reason)
    {
        text = text.Trim();
        Span<char> normalized = stackalloc char[32];
        if (text.Length is 0 or > 32) { reason = Reason.None; return false; }
        for (int i = 0; i < text.Length; i++)
            normalized[i] = text[i] == '_' ? '-' : char.ToLowerInvariant(text[i]);
        ReadOnlySpan<char> n = normalized[..text.Length];
        for (int i = 1; i < RecordReasons; i++)
        {
            if (n.SequenceEqual(s_reasons[i])) { reason = (Reason)i; return true; }
        }
        reason = Reason.None;
        return false;
    }

    /// <summary>Every record reason name except "none", for error messages and help text.</summary>
    public static IReadOnlyList<string> ReasonNames => s_reasons[1..RecordReasons];
}
