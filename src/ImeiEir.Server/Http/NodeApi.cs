using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace ImeiEir.Server.Http;

/// <summary>An EIR node's HTTP API: N5g-eir for the 5G core, check before purchase for people.</summary>
internal static class NodeApi
{
    public const string LookupRatePolicy = "lookup";

    public static IEndpointRouteBuilder MapNodeApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(N5gEirEndpoint.Path, N5gEirEndpoint.Handle);
        endpoints.MapGet(ImeiLookupEndpoint.Path, ImeiLookupEndpoint.Handle).RequireRateLimiting(LookupRatePolicy);
        return endpoints;
    }
}
