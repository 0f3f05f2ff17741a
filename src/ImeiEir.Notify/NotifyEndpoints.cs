using System.Globalization;
using System.Text;
using System.Text.Json;
using ImeiEir.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace ImeiEir.Notify;

/// <summary>
/// The notifier's HTTP API, to be mounted on the registry's admin port. Errors are <c>application/problem+json</c>.
/// <code>
/// GET  /v1/notices?imei=I&amp;msisdn=M          admin  → 200 {"notices":[...]} (either or both; the union) | 400 | 401
/// POST /v1/subscribers                       admin  text/csv → 200 report | 422 bad lines | 401 | 413 | 415
/// GET  /v1/notices/dlr?key=K&amp;type=T[&amp;token=]  Kannel → 200 | 400 | 403 (Notify:DlrToken) | 404 unknown key
/// </code>
/// The delivery-report callback cannot carry a bearer token (Kannel calls the dlr-url as given), so it is guarded by
/// <see cref="NotifyOptions.DlrToken"/> instead of <c>isAuthorized</c>.
/// </summary>
public static class NotifyEndpoints
{
    private const string ProblemContentType = "application/problem+json";

    /// <summary>Maps the API over <paramref name="notifier"/>; <paramref name="isAuthorized"/> decides admin access (e.g. the registry's bearer-token check).</summary>
    public static IEndpointRouteBuilder MapNotifyApi(this IEndpointRouteBuilder endpoints, Notifier notifier, Func<HttpContext, bool> isAuthorized)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(notifier);
        ArgumentNullException.ThrowIfNull(isAuthorized);
        endpoints.MapGet("/v1/notices", context => GetNoticesAsync(context, notifier, isAuthorized));
        endpoints.MapGet("/v1/notices/dlr", context => DeliveryReportAsync(context, notifier));
        endpoints.MapPost("/v1/subscribers", context => ImportAsync(context, notifier, isAuthorized));
        return endpoints;
    }

    // ---------------------------------------------------------------- GET /v1/notices

    private static async Task GetNoticesAsync(HttpContext context, Notifier notifier, Func<HttpContext, bool> isAuthorized)
    {
        if (!isAuthorized(context))
        {
            await UnauthorizedAsync(context, "GET /v1/notices needs the admin token: Authorization: Bearer <admin token>");
            return;
        }
        string? imeiText = context.Request.Query["imei"];
        string? msisdn = context.Request.Query["msisdn"];
        if (string.IsNullOrEmpty(imeiText) && string.IsNullOrEmpty(msisdn))
        {
            await ProblemAsync(context, 400, "Bad query", "give imei=<14-16 digits> or msisdn=<digits>, or both");
            return;
        }
        var found = new Dictionary<string, NoticeView>(StringComparer.Ordinal);
        if (!string.IsNullOrEmpty(imeiText))
        {
            if (Imei.TryParse(imeiText.AsSpan(), out Imei imei) != ImeiParseResult.Valid)
            {
                await ProblemAsync(context, 400, "Bad query", $"imei '{Shorten(imeiText)}' is not an IMEI (14, 15 with a right check digit, or 16 digits)");
                return;
            }
            foreach (NoticeView view in notifier.Outbox.FindByImei(imei)) found[view.Key] = view;
        }
        if (!string.IsNullOrEmpty(msisdn))
        {
            foreach (NoticeView view in notifier.Outbox.FindByMsisdn(msisdn)) found[view.Key] = view;
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.BodyWriter);
        json.WriteStartObject();
        json.WriteStartArray("notices");
        foreach (NoticeView view in found.Values.OrderBy(v => v.Created).ThenBy(v => v.Key, StringComparer.Ordinal))
            WriteNotice(json, view, notifier.Calendar);
        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }

    private static void WriteNotice(Utf8JsonWriter json, NoticeView v, NoticeCalendar calendar)
    {
        json.WriteStartObject();
        json.WriteString("key", v.Key);
        json.WriteString("kind", v.Kind.ToName());
        json.WriteString("state", v.State.ToName());
        json.WriteString("imei", v.Imei.ToString());
        json.WriteString("imsi", v.Imsi);
        WriteOptional(json, "msisdn", v.Msisdn);
        WriteOptional(json, "language", v.Language?.ToCode());
        if (v.DeadlineUnixSeconds == 0) json.WriteNull("deadline");
        else json.WriteString("deadline", TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeSeconds(v.DeadlineUnixSeconds), calendar.Zone)
            .ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture));
        json.WriteString("localDay", v.LocalDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        json.WriteNumber("attempts", v.Attempts);
        WriteTime(json, "created", v.Created);
        WriteTime(json, "updated", v.Updated);
        WriteTime(json, "nextAttempt", v.NextAttempt);
        WriteTime(json, "sent", v.Sent);
        WriteTime(json, "final", v.Final);
        if (v.LastDlrType == 0) json.WriteNull("lastDlrType");
        else json.WriteNumber("lastDlrType", v.LastDlrType);
        WriteOptional(json, "lastError", v.LastError);
        WriteOptional(json, "gatewayAnswer", v.GatewayAnswer);
        WriteOptional(json, "text", v.Text);
        json.WriteEndObject();
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null) json.WriteNull(name);
        else json.WriteString(name, value);
    }

    private static void WriteTime(Utf8JsonWriter json, string name, DateTimeOffset? time)
    {
        if (time is null) json.WriteNull(name);
        else json.WriteString(name, time.Value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
    }

    // ---------------------------------------------------------------- GET /v1/notices/dlr

    private static async Task DeliveryReportAsync(HttpContext context, Notifier notifier)
    {
        // Hashed first, so the comparison takes the same time whatever the length or the first difference.
        if (notifier.Options.DlrToken is string expected
            && !System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
                System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(context.Request.Query["token"].ToString())),
                System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(expected))))
        {
            await ProblemAsync(context, 403, "Forbidden", "the delivery report's token is not Notify:DlrToken");
            return;
        }
        string? key = context.Request.Query["key"];
        string? typeText = context.Request.Query["type"];
        if (string.IsNullOrEmpty(key) || !int.TryParse(typeText, NumberStyles.None, CultureInfo.InvariantCulture, out int type) || type is < 1 or > 255)
        {
            await ProblemAsync(context, 400, "Bad delivery report", "expected key=<notice key>&type=<Kannel DLR type 1-255>");
            return;
        }
        if (!notifier.Outbox.RecordDeliveryReport(key, type))
        {
            await ProblemAsync(context, 404, "Unknown notice", $"no notice has the key '{Shorten(key)}'");
            return;
        }
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/plain";
        await context.Response.WriteAsync("OK", context.RequestAborted);
    }

    // ---------------------------------------------------------------- POST /v1/subscribers

    private static async Task ImportAsync(HttpContext context, Notifier notifier, Func<HttpContext, bool> isAuthorized)
    {
        if (!isAuthorized(context))
        {
            await UnauthorizedAsync(context, "POST /v1/subscribers needs the admin token: Authorization: Bearer <admin token>");
            return;
        }
        if (!MediaTypeHeaderValue.TryParse(context.Request.ContentType, out MediaTypeHeaderValue? mediaType)
            || !mediaType.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase))
        {
            await ProblemAsync(context, 415, "Unsupported media type", "send the directory as Content-Type: text/csv (imsi,msisdn,iin,language)");
            return;
        }
        if (mediaType.Charset.HasValue && !mediaType.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
            && !mediaType.Charset.Equals("utf8", StringComparison.OrdinalIgnoreCase))
        {
            await ProblemAsync(context, 415, "Unsupported media type", $"charset {mediaType.Charset} is not supported: send UTF-8");
            return;
        }
        long limit = notifier.Options.MaxImportBytes;
        if (context.Request.ContentLength > limit)
        {
            await ProblemAsync(context, 413, "Import too large", $"the body has {context.Request.ContentLength} bytes, over Notify:MaxImportBytes ({limit}); split the file");
            return;
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature) feature.MaxRequestBodySize = limit;

        SubscriberImportReport report;
        try
        {
            using var reader = new StreamReader(context.Request.Body, new UTF8Encoding(false, throwOnInvalidBytes: true));
            report = await notifier.Subscribers.ImportAsync(reader, context.RequestAborted);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await ProblemAsync(context, 413, "Import too large", $"the body is over Notify:MaxImportBytes ({limit}); split the file");
            return;
        }
        catch (DecoderFallbackException)
        {
            await ProblemAsync(context, 400, "Unreadable import", "the body is not UTF-8");
            return;
        }

        if (!report.Accepted)
        {
            context.Response.StatusCode = 422;
            context.Response.ContentType = ProblemContentType;
            await using var problem = new Utf8JsonWriter(context.Response.BodyWriter);
            problem.WriteStartObject();
            problem.WriteString("title", "The import has bad lines");
            problem.WriteNumber("status", 422);
            problem.WriteString("detail", $"{report.Errors.Count} bad line(s), so nothing was imported (an import is all or nothing)");
            problem.WriteStartArray("errors");
            foreach (SubscriberImportError error in report.Errors)
            {
                problem.WriteStartObject();
                problem.WriteNumber("line", error.Line);
                problem.WriteString("reason", error.Reason);
                problem.WriteEndObject();
            }
            problem.WriteEndArray();
            problem.WriteEndObject();
            await problem.FlushAsync(context.RequestAborted);
            return;
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.BodyWriter);
        json.WriteStartObject();
        json.WriteBoolean("accepted", true);
        json.WriteNumber("added", report.Added);
        json.WriteNumber("replaced", report.Replaced);
        json.WriteNumber("unchanged", report.Unchanged);
        json.WriteNumber("total", report.Total);
        json.WriteNumber("released", report.Released);
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }

    // ---------------------------------------------------------------- problems

    private static Task UnauthorizedAsync(HttpContext context, string detail)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return ProblemAsync(context, 401, "Unauthorized", detail);
    }

    private static async Task ProblemAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = ProblemContentType;
        await using var json = new Utf8JsonWriter(context.Response.BodyWriter);
        json.WriteStartObject();
        json.WriteString("title", title);
        json.WriteNumber("status", status);
        json.WriteString("detail", detail);
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
