using ImeiEir.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ImeiEir.Registry;

/// <summary>
/// <c>GET /v1/snapshot</c>, reader token → 200 every live record in <see cref="SnapshotFormat"/> (whose header names the
/// registry's generation, as the <see cref="FeedFormat.GenerationHeader"/> header does) | 401.
/// </summary>
internal static class GetSnapshotEndpoint
{
    public static async Task HandleAsync(HttpContext context)
    {
        RegistryService registry = context.RequestServices.GetRequiredService<RegistryService>();
        if (!ApiAccess.IsAuthorized(context, registry, ApiRight.Follow))
        {
            await ApiProblems.UnauthorizedAsync(context, "GET /v1/snapshot needs the reader token: Authorization: Bearer <reader token>");
            return;
        }
        context.Response.StatusCode = 200;
        context.Response.ContentType = SnapshotFormat.ContentType;
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers[FeedFormat.GenerationHeader] = registry.Generation.ToString();
        try
        {
            await registry.WriteSnapshotAsync(context.Response.Body, context.RequestAborted);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
        }
    }
}
