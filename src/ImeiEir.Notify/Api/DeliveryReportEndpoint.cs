using ImeiEir.Core;
using System.Globalization;
using ImeiEir.Notify.Delivery;
using ImeiEir.Notify.Outbox;
using Microsoft.AspNetCore.Http;

namespace ImeiEir.Notify.Api;

/// <summary>
/// <c>GET /v1/notices/dlr?key=K&amp;type=T&amp;token=S</c>: Kannel's delivery report → 200 | 400 | 403 (no token, or
/// not the notifier's: <c>Notify:DlrToken</c> or the one generated into the data directory) | 404 unknown key. Kannel
/// calls the dlr-url as given, so it cannot carry a bearer token: the token in the query guards it instead, always.
/// </summary>
internal static class DeliveryReportEndpoint
{
    public static async Task HandleAsync(HttpContext context, NoticeOutbox outbox, string dlrToken)
    {
        // Hashed first, so the comparison takes the same time whatever the length or the first difference.
        if (!SecretToken.Matches(context.Request.Query["token"].ToString(), dlrToken))
        {
            await Problems.WriteAsync(context, 403, "Forbidden", "the delivery report carries no token or not the notifier's (Notify:DlrToken, or dlr.token in Notify:DataDirectory)");
            return;
        }
        string? key = context.Request.Query["key"];
        string? typeText = context.Request.Query["type"];
        if (string.IsNullOrEmpty(key) || !int.TryParse(typeText, NumberStyles.None, CultureInfo.InvariantCulture, out int type) || type is < 1 or > 255)
        {
            await Problems.WriteAsync(context, 400, "Bad delivery report", "expected key=<notice key>&type=<Kannel DLR type 1-255>");
            return;
        }
        if (!outbox.RecordDeliveryReport(key, type))
        {
            await Problems.WriteAsync(context, 404, "Unknown notice", $"no notice has the key '{Problems.Shorten(key)}'");
            return;
        }
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/plain";
        await context.Response.WriteAsync("OK", context.RequestAborted);
    }
}
