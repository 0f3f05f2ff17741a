using System.Text;
using System.Text.RegularExpressions;

namespace ImeiEir.Integration.Tests.Docker;

/// <summary>
/// A .dockerignore: which paths of the build context a COPY does not see. Docker's rules
/// (https://docs.docker.com/build/concepts/context/#dockerignore-files): one pattern a line, '#' comments, paths
/// relative to the context root (a leading or trailing '/' is dropped), '*' and '?' within one path segment, '**'
/// across any number of them, '!' re-includes, the last matching line wins, and a directory's exclusion excludes
/// everything under it.
/// </summary>
internal sealed class DockerIgnore
{
    private readonly List<(Regex Pattern, bool Exclude)> _rules;

    private DockerIgnore(List<(Regex, bool)> rules) => _rules = rules;

    public static DockerIgnore Load(string contextRoot)
    {
        string file = Path.Combine(contextRoot, ".dockerignore");
        var rules = new List<(Regex, bool)>();
        if (!File.Exists(file)) return new DockerIgnore(rules);
        foreach (string raw in File.ReadAllLines(file))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            bool exclude = !line.StartsWith('!');
            string pattern = (exclude ? line : line[1..]).Trim().Trim('/');
            if (pattern.IndexOfAny(['[', '\\']) >= 0)
                throw new NotSupportedException($".dockerignore: '{line}': character classes and escapes are not handled by this test; teach DockerIgnore");
            rules.Add((ToRegex(pattern), exclude));
        }
        return new DockerIgnore(rules);
    }

    /// <summary>True when <paramref name="relativePath"/> ('/'-separated, from the context root) is left out of the context.</summary>
    public bool Excludes(string relativePath)
    {
        bool excluded = false;
        foreach ((Regex pattern, bool exclude) in _rules)
            if (MatchesOrParentMatches(pattern, relativePath))
                excluded = exclude;
        return excluded;
    }

    private static bool MatchesOrParentMatches(Regex pattern, string path)
    {
        for (string? p = path; !string.IsNullOrEmpty(p); p = Parent(p))
            if (pattern.IsMatch(p)) return true;
        return false;
    }

    private static string? Parent(string path) => path.LastIndexOf('/') is var slash and > 0 ? path[..slash] : null;

    private static Regex ToRegex(string pattern)
    {
        var regex = new StringBuilder("^");
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (c == '*' && i + 1 < pattern.Length && pattern[i + 1] == '*')
            {
                i++;
                if (i + 1 < pattern.Length && pattern[i + 1] == '/')
                {
                    i++;
                    regex.Append("(?:.*/)?"); // "**/" is zero or more whole directories
                }
                else
                {
                    regex.Append(".*");
                }
            }
            else if (c == '*') regex.Append("[^/]*");
            else if (c == '?') regex.Append("[^/]");
            else regex.Append(Regex.Escape(c.ToString()));
        }
        return new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant);
    }
}
