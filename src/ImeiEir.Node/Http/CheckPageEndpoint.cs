using System.Diagnostics;
using System.Text;
using ImeiEir.Core;
using ImeiEir.Node.Checking;
using ImeiEir.Node.Observability;
using Microsoft.AspNetCore.Http;

namespace ImeiEir.Node.Http;

/// <summary>
/// The public check page, <c>GET /check[?imei=…][&amp;lang=ru|kk|en]</c> on the node's HTTP port: a form, and the
/// verdict of the check before purchase (<see cref="ImeiLookup"/>, the same texts as <c>GET /v1/imei/{imei}</c>) in
/// the reader's language. A check spends the lookup's rate limit (the same per-address window); the bare form does not.
/// </summary>
internal static class CheckPageEndpoint
{
    public const string Path = "/check";

    /// <summary>True for the bare form (no IMEI asked): it looks nothing up, so it costs no lookup permit.</summary>
    public static bool IsFormOnly(HttpRequest request) =>
        request.Path.Equals(Path, StringComparison.OrdinalIgnoreCase) && string.IsNullOrEmpty(request.Query["imei"]);

    /// <summary>True for any request to the page (its rate-limit refusal is a page too, not problem JSON).</summary>
    public static bool IsCheckPage(HttpRequest request) => request.Path.Equals(Path, StringComparison.OrdinalIgnoreCase);

    public static IResult Handle(HttpContext context, CheckerPool checkers, NodeMetrics metrics)
    {
        string language = CheckPageLanguage.Choose(context.Request);
        string? imei = context.Request.Query["imei"];
        imei = imei?.Trim();
        if (string.IsNullOrEmpty(imei)) return Page(context, 200, language, null, null);

        long started = Stopwatch.GetTimestamp();
        CheckPageTexts texts = CheckPageTexts.For(language);
        LookupAnswer answer = ImeiLookup.Look(imei, checkers);
        switch (answer.Kind)
        {
            case LookupKind.Malformed:
                metrics.RecordHttp(AnswerInterface.Lookup, AnswerKind.Error, started);
                string shown = imei.Length <= 40 ? imei : imei[..40] + "…";
                return Page(context, 400, language, imei, new CheckPageResult("error", string.Format(System.Globalization.CultureInfo.InvariantCulture, texts.NotAnImei, shown)));
            case LookupKind.NotReady:
                metrics.RecordHttp(AnswerInterface.Lookup, AnswerKind.Error, started);
                context.Response.Headers.RetryAfter = ProblemResults.IncompleteStoreRetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return Page(context, 503, language, imei, new CheckPageResult("error", texts.NotReady));
        }

        metrics.RecordHttp(AnswerInterface.Lookup, answer.UnknownNow ? AnswerKind.NotRegistered : AnswerKinds.Of(answer.Decision.Status), started);
        string css = answer.UnknownNow ? "unknown" : answer.Decision.Status switch
        {
            EquipmentStatus.Whitelisted => "white",
            EquipmentStatus.Greylisted => "grey",
            _ => "black",
        };
        return Page(context, 200, language, imei,
            new CheckPageResult(css, answer.Verdict(language), answer.Imei, answer.Device?.Manufacturer, answer.Device?.Model));
    }

    /// <summary>The rate limiter's refusal on this page: 429 as a page in the reader's language.</summary>
    public static Task WriteTooManyAsync(HttpContext context)
    {
        string language = CheckPageLanguage.Choose(context.Request);
        string? imei = context.Request.Query["imei"];
        return Page(context, 429, language, imei, new CheckPageResult("error", CheckPageTexts.For(language).TooMany)).ExecuteAsync(context);
    }

    private static IResult Page(HttpContext context, int status, string language, string? imei, CheckPageResult? result)
    {
        IHeaderDictionary headers = context.Response.Headers;
        // A verdict changes with the lists: never cached. The page needs nothing but itself and inline CSS.
        headers.CacheControl = "no-store";
        headers.ContentLanguage = language;
        headers["X-Content-Type-Options"] = "nosniff";
        headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
        return Results.Content(CheckPageHtml.Render(language, imei, result), "text/html; charset=utf-8", Encoding.UTF8, status);
    }
}
