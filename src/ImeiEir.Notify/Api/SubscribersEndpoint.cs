using System.Text;
using System.Text.Json;
using ImeiEir.Notify.Subscribers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace ImeiEir.Notify.Api;

/// <summary>
/// <c>POST /v1/subscribers</c> (admin, <c>text/csv</c>): imports the subscriber directory, all or nothing → 200 report |
/// 422 bad lines | 401 | 413 (over <c>Notify:MaxImportBytes</c>) | 415.
/// </summary>
internal static class SubscribersEndpoint
{
    public static async Task HandleAsync(HttpContext context, SubscriberDirectory subscribers, long maxImportBytes, Func<HttpContext, bool> isAuthorized)
    {
        if (!isAuthorized(context))
        {
            await Problems.UnauthorizedAsync(context, "POST /v1/subscribers needs the admin token: Authorization: Bearer <admin token>");
            return;
        }
        if (!MediaTypeHeaderValue.TryParse(context.Request.ContentType, out MediaTypeHeaderValue? mediaType)
            || !mediaType.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase))
        {
            await Problems.WriteAsync(context, 415, "Unsupported media type", "send the directory as Content-Type: text/csv (imsi,msisdn,iin,language)");
            return;
        }
        if (mediaType.Charset.HasValue && !mediaType.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
            && !mediaType.Charset.Equals("utf8", StringComparison.OrdinalIgnoreCase))
        {
            await Problems.WriteAsync(context, 415, "Unsupported media type", $"charset {mediaType.Charset} is not supported: send UTF-8");
            return;
        }
        long limit = maxImportBytes;
        if (context.Request.ContentLength > limit)
        {
            await Problems.WriteAsync(context, 413, "Import too large", $"the body has {context.Request.ContentLength} bytes, over Notify:MaxImportBytes ({limit}); split the file");
            return;
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature) feature.MaxRequestBodySize = limit;

        SubscriberImportReport report;
        try
        {
            using var reader = new StreamReader(context.Request.Body, new UTF8Encoding(false, throwOnInvalidBytes: true));
            report = await subscribers.ImportAsync(reader, context.RequestAborted);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await Problems.WriteAsync(context, 413, "Import too large", $"the body is over Notify:MaxImportBytes ({limit}); split the file");
            return;
        }
        catch (DecoderFallbackException)
        {
            await Problems.WriteAsync(context, 400, "Unreadable import", "the body is not UTF-8");
            return;
        }

        if (!report.Accepted)
        {
            context.Response.StatusCode = 422;
            context.Response.ContentType = Problems.ContentType;
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
}
