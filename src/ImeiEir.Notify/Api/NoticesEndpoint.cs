using System.Text.Json;
using ImeiEir.Core;
using ImeiEir.Notify.Notices;
using ImeiEir.Notify.Outbox;
using Microsoft.AspNetCore.Http;

namespace ImeiEir.Notify.Api;

/// <summary>
/// <c>GET /v1/notices?imei=I&amp;msisdn=M</c> (reader): every notice about the device, or to the number, or both (the
/// union), oldest first → 200 <c>{"notices":[...]}</c> | 400 | 401.
/// </summary>
internal static class NoticesEndpoint
{
    public static async Task HandleAsync(HttpContext context, NoticeOutbox outbox, TimeZoneInfo zone, Func<HttpContext, bool> canRead)
    {
        if (!canRead(context))
        {
            await Problems.UnauthorizedAsync(context, "GET /v1/notices needs a reader or admin credential: Authorization: Bearer <token>");
            return;
        }
        string? imeiText = context.Request.Query["imei"];
        string? msisdn = context.Request.Query["msisdn"];
        if (string.IsNullOrEmpty(imeiText) && string.IsNullOrEmpty(msisdn))
        {
            await Problems.WriteAsync(context, 400, "Bad query", "give imei=<14-16 digits> or msisdn=<digits>, or both");
            return;
        }
        var found = new Dictionary<string, NoticeView>(StringComparer.Ordinal);
        if (!string.IsNullOrEmpty(imeiText))
        {
            if (Imei.TryParse(imeiText.AsSpan(), out Imei imei) != ImeiParseResult.Valid)
            {
                await Problems.WriteAsync(context, 400, "Bad query", $"imei '{Problems.Shorten(imeiText)}' is not an IMEI (14, 15 with a right check digit, or 16 digits)");
                return;
            }
            foreach (NoticeView view in outbox.FindByImei(imei)) found[view.Key] = view;
        }
        if (!string.IsNullOrEmpty(msisdn))
        {
            foreach (NoticeView view in outbox.FindByMsisdn(msisdn)) found[view.Key] = view;
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.BodyWriter);
        json.WriteStartObject();
        json.WriteStartArray("notices");
        foreach (NoticeView view in found.Values.OrderBy(v => v.Created).ThenBy(v => v.Key, StringComparer.Ordinal))
            NoticeJson.Write(json, view, zone);
        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }
}
