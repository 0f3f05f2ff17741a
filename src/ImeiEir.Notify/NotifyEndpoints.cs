using ImeiEir.Notify.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ImeiEir.Notify;

/// <summary>
/// The notifier's HTTP API, to be mounted on the registry's admin port; one handler per route in <c>Api/</c>. Errors
/// are <c>application/problem+json</c>.
/// <code>
/// GET  /v1/notices?imei=I&amp;msisdn=M          reader → 200 {"notices":[...]} (either or both; the union) | 400 | 401
/// GET  /v1/notices/summary                  reader → 200 {"parked","pending","sent","delivered","undelivered","failed","retries"} | 401
/// POST /v1/subscribers                       admin  text/csv → 200 report | 422 bad lines | 401 | 413 | 415
/// GET  /v1/notices/dlr?key=K&amp;type=T&amp;token=S  Kannel → 200 | 400 | 403 (not the DLR token) | 404 unknown key
/// </code>
/// reader: whoever <c>canRead</c> admits (readers see); admin: whoever <c>isAuthorized</c> admits (admins change).
/// The delivery-report callback cannot carry a bearer token (Kannel calls the dlr-url as given), so it is guarded by
/// <see cref="NotifyOptions.DlrToken"/> instead of <c>isAuthorized</c>.
/// </summary>
public static class NotifyEndpoints
{
    /// <summary>
    /// Maps the API over <paramref name="notifier"/>: <paramref name="isAuthorized"/> decides admin access (imports;
    /// e.g. the registry's bearer-token check), <paramref name="canRead"/> read access (notices and their summary; an
    /// admin should pass it too), by default the same as <paramref name="isAuthorized"/>.
    /// </summary>
    public static IEndpointRouteBuilder MapNotifyApi(this IEndpointRouteBuilder endpoints, Notifier notifier, Func<HttpContext, bool> isAuthorized,
        Func<HttpContext, bool>? canRead = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(notifier);
        ArgumentNullException.ThrowIfNull(isAuthorized);
        canRead ??= isAuthorized;
        endpoints.MapGet("/v1/notices", context => NoticesEndpoint.HandleAsync(context, notifier.Outbox, notifier.Calendar.Zone, canRead));
        endpoints.MapGet("/v1/notices/summary", context => NoticeSummaryEndpoint.HandleAsync(context, notifier.Outbox, canRead));
        endpoints.MapGet("/v1/notices/dlr", context => DeliveryReportEndpoint.HandleAsync(context, notifier.Outbox, notifier.DlrToken));
        endpoints.MapPost("/v1/subscribers",
            context => SubscribersEndpoint.HandleAsync(context, notifier.Subscribers, notifier.Options.MaxImportBytes, isAuthorized));
        return endpoints;
    }
}
