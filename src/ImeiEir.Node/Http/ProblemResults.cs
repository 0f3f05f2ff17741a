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

    /// <summary>Seconds in the Retry-After of a 503 while the node has no complete store (a bootstrap of tens of millions of records takes about a minute).</summary>
    public const int IncompleteStoreRetryAfterSeconds = 10;

    /// <summary>
    /// 503 with Retry-After: the node has not applied a whole snapshot yet, and an answer from part of the lists could
    /// call a black device unknown. The caller (an AMF, a shop) asks another node or again later.
    /// </summary>
    public static IResult StoreIncomplete(HttpContext context)
    {
        context.Response.Headers.RetryAfter = IncompleteStoreRetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Problem(503, "Not ready", "this EIR node is still loading the lists from the registry and answers nothing until it has all of them; ask another node or retry later");
    }

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
