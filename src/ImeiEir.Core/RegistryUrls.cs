namespace ImeiEir.Core;

/// <summary>
/// The registry's addresses as a node (<c>Registry:Url</c>) and eirctl (<c>--registry</c>) take them: one or several
/// absolute http(s) URLs, comma-separated, tried in the order given (issue 23, item 5: several registry processes of
/// one generation serve the same feed, so a client moves to the next when one fails).
/// </summary>
public static class RegistryUrls
{
    /// <summary>
    /// Splits and checks <paramref name="value"/>: true with every URL (each ending in <c>/</c>, so relative paths
    /// keep a path prefix); false with <paramref name="problem"/> naming the first bad entry.
    /// </summary>
    public static bool TryParse(string? value, out IReadOnlyList<Uri> urls, out string problem)
    {
        urls = [];
        if (string.IsNullOrWhiteSpace(value))
        {
            problem = "no URL given";
            return false;
        }
        var parsed = new List<Uri>();
        foreach (string part in value.Split(','))
        {
            string text = part.Trim();
            if (text.Length == 0)
            {
                problem = $"an empty entry in '{value}' (URLs are separated by single commas)";
                return false;
            }
            if (!Uri.TryCreate(text.EndsWith('/') ? text : text + "/", UriKind.Absolute, out Uri? url)
                || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                problem = $"'{text}' is not an absolute http:// or https:// URL";
                return false;
            }
            if (parsed.Contains(url))
            {
                problem = $"'{text}' is given twice";
                return false;
            }
            parsed.Add(url);
        }
        urls = parsed;
        problem = "";
        return true;
    }
}
