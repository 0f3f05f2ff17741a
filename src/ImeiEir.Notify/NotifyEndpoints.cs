using ImeiEir.Notify.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ImeiEir.Notify;

/// <summary>
/// The notifier's HTTP API, to be mounted on the registry's admin port; one handler per route in <c>Api/</c>. Errors
/// are <c>application/problem+json</c>.
/// <code>
/// GET  /v1/notices?imei=I&amp;msisdn=M          admin  → 200 {"notices":[...]} (either or both; the union) | 400 | 401
/// POST /v1/subscribers                       admin  text/csv → 200 report | 422 bad lines | 401 | 413 | 415
/// GET  /v1/notices/dlr?key=K&amp;type=T&amp;token=S  Kannel → 200 | 400 | 403 (not the DLR token) | 404 unknown key
/// </code>
/// The delivery-report callback cannot carry a bearer token (Kannel calls the dlr-url as given), so it is guarded by
/// <see cref="NotifyOptions.DlrToken"/> instead of <c>isAuthorized</c>.
/// </summary>
public static class NotifyEndpoints
{
    /// <summary>Maps the API over <paramref name="notifier"/>; <paramref name="isAuthorized"/> decides admin access (e.g. the registry's bearer-token check).</summary>
    public static IEndpointRouteBuilder MapNotifyApi(this IEndpointRouteBuilder endpoints, Notifier notifier, Func<HttpContext, bool> isAuthorized)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(notifier);
        ArgumentNullException.ThrowIfNull(isAuthorized);
        endpoints.MapGet("/v1/notices", context => NoticesEndpoint.HandleAsync(context, notifier.Outbox, notifier.Calendar.Zone, isAuthorized));
        endpoints.MapGet("/v1/notices/dlr", context => DeliveryReportEndpoint.HandleAsync(context, notifier.Outbox, notifier.DlrToken));
        endpoints.MapPost("/v1/subscribers",
            context => SubscribersEndpoint.HandleAsync(context, notifier.Subscribers, notifier.Options.MaxImportBytes, isAuthorized));
        return endpoints;
    }
}
