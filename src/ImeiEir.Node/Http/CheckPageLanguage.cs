using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace ImeiEir.Node.Http;

/// <summary>
/// The check page's language: <c>?lang=ru|kk|en</c> when given (the page's own language links), else the best of
/// the three in Accept-Language by quality, else Russian (the language every network in Kazakhstan answers in).
/// </summary>
internal static class CheckPageLanguage
{
    public const string Default = "ru";

    private static readonly string[] Supported = ["ru", "kk", "en"];

    public static string Choose(HttpRequest request)
    {
        string? asked = request.Query["lang"];
        if (asked is not null && Supported.Contains(asked, StringComparer.OrdinalIgnoreCase)) return asked.ToLowerInvariant();

        if (!StringWithQualityHeaderValue.TryParseList(request.Headers.AcceptLanguage, out IList<StringWithQualityHeaderValue>? ranges))
            return Default;
        string best = Default;
        double bestQuality = 0;
        foreach (StringWithQualityHeaderValue range in ranges)
        {
            // "kk-KZ" counts as "kk"; the first of equal qualities wins, as the header lists them in preference order.
            string primary = range.Value.Value?.Split('-')[0].ToLowerInvariant() ?? "";
            double quality = range.Quality ?? 1;
            if (quality > bestQuality && Supported.Contains(primary))
            {
                best = primary;
                bestQuality = quality;
            }
        }
        return best;
    }
}
