using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ImeiEir.Registry;

/// <summary>
/// <c>GET /v1/status</c>, reader token → 200 <c>{"sequence", "generation", "records", "digest", "consistent"}</c> | 401.
/// <c>digest</c> is the <see cref="Store.StateDigest"/> text a node's <c>/v1/digest</c> shows for the same state, so a
/// node is compared with its registry by two GETs. A full scan of the view: not for polling.
/// </summary>
internal static class GetStatusEndpoint
{
    public static async Task HandleAsync(HttpContext context)
    {
        RegistryService registry = context.RequestServices.GetRequiredService<RegistryService>();
        if (!ApiAccess.IsAuthorized(context, registry, ApiRight.Read))
        {
            await ApiProblems.UnauthorizedAsync(context, "GET /v1/status needs the reader token: Authorization: Bearer <reader token>");
            return;
        }

        // The scan holds a store session for its whole run: on a thread of its own, never across an await.
        RegistryStatus status = await Task.Run(registry.GetStatus, context.RequestAborted);
        await using Utf8JsonWriter json = ApiJson.Begin(context);
        json.WriteStartObject();
        json.WriteNumber("sequence", status.Sequence);
        json.WriteString("generation", status.Generation.ToString());
        json.WriteNumber("records", status.Digest.Records);
        json.WriteString("digest", status.Digest.ToString());
        json.WriteBoolean("consistent", status.Consistent);
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }
}
