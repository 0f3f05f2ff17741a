using System.Text.Json;
using ImeiEir.Notify.Outbox;
using Microsoft.AspNetCore.Http;

namespace ImeiEir.Notify.Api;

/// <summary>
/// <c>GET /v1/notices/summary</c> (reader) → 200 the outbox by state, for the admin console's overview | 401:
/// <code>
/// {"parked":n,"pending":n,"sent":n,"delivered":n,"undelivered":n,"failed":n,"retries":n}
/// </code>
/// pending includes the notice being sent; retries counts the failed attempts retried since the notifier opened. The
/// outbox keeps its per-state counts current, so this reads counters and scans nothing.
/// </summary>
internal static class NoticeSummaryEndpoint
{
    public static async Task HandleAsync(HttpContext context, NoticeOutbox outbox, Func<HttpContext, bool> canRead)
    {
        if (!canRead(context))
        {
            await Problems.UnauthorizedAsync(context, "GET /v1/notices/summary needs a reader or admin credential: Authorization: Bearer <token>");
            return;
        }
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        await using var json = new Utf8JsonWriter(context.Response.BodyWriter);
        json.WriteStartObject();
        json.WriteNumber("parked", outbox.ParkedCount);
        json.WriteNumber("pending", outbox.PendingCount);
        json.WriteNumber("sent", outbox.SentCount);
        json.WriteNumber("delivered", outbox.DeliveredCount);
        json.WriteNumber("undelivered", outbox.UndeliveredCount);
        json.WriteNumber("failed", outbox.FailedCount);
        json.WriteNumber("retries", outbox.RetryCount);
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }
}
