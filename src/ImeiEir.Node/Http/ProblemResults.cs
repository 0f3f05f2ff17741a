using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace ImeiEir.Node.Http;

/// <summary>
/// <c>application/problem+json</c> bodies (RFC 9457) with the 3GPP extensions of TS 29.571 ProblemDetails:
/// <c>cause</c> (TS 29.500 §5.2.7.2 / TS 29.511 application errors) and <c>invalidParams</c>.
/// </summary>
internal static class ProblemResults
{
    public const string ContentType = "application/problem+json";

    /// <summary>Web defaults, but Cyrillic and Kazakh letters written as themselves (people read these bodies).</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerOptions.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Create(System.Text.Unicode.UnicodeRanges.All),
    };

    public static IResult Problem(int status, string title, string detail, string? cause = null, string? invalidParam = null, string? reason = null)
    {
        var body = new Dictionary<string, object>
        {
            ["type"] = "about:blank",
            ["title"] = title,
            ["status"] = status,
            ["detail"] = detail,
        };
        if (cause is not null) body["cause"] = cause;
        if (invalidParam is not null) body["invalidParams"] = new[] { new { param = invalidParam, reason = reason ?? detail } };
        return Results.Json(body, Json, ContentType, status);
    }
}
