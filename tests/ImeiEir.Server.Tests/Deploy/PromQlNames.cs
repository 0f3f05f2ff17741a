using System.Text.RegularExpressions;

namespace ImeiEir.Server.Tests.Deploy;

/// <summary>The metric names a PromQL expression reads (not its functions, keywords, labels or durations).</summary>
internal static partial class PromQlNames
{
    private static readonly HashSet<string> Keywords =
        ["by", "without", "and", "or", "unless", "bool", "on", "ignoring", "group_left", "group_right", "offset"];

    public static IEnumerable<string> Of(string expression)
    {
        string bare = Strings().Replace(expression, " ");
        bare = Braces().Replace(bare, " ");
        bare = Brackets().Replace(bare, " ");
        bare = Groupings().Replace(bare, " ");
        foreach (Match m in Identifiers().Matches(bare))
        {
            if (Keywords.Contains(m.Value) || FollowedByParenthesis(bare, m))
                continue;
            yield return m.Value;
        }
    }

    /// <summary>A histogram's series name as exported without its suffix (the family's name).</summary>
    public static string Family(string name) =>
        name.EndsWith("_bucket", StringComparison.Ordinal) ? name[..^7]
        : name.EndsWith("_count", StringComparison.Ordinal) ? name[..^6]
        : name.EndsWith("_sum", StringComparison.Ordinal) ? name[..^4]
        : name;

    private static bool FollowedByParenthesis(string text, Match m)
    {
        int i = m.Index + m.Length;
        while (i < text.Length && text[i] == ' ') i++;
        return i < text.Length && text[i] == '(';
    }

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex Strings();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Braces();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Brackets();

    [GeneratedRegex(@"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex Groupings();

    [GeneratedRegex(@"(?<![\w.$])[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex Identifiers();
}
