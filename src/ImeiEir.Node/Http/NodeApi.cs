using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace ImeiEir.Node.Http;

/// <summary>An EIR node's HTTP API: N5g-eir for the 5G core, check before purchase for people (JSON and the /check page).</summary>
public static class NodeApi
{
    /// <summary>The rate-limiter policy of the check before purchase (per client address; see Http:LookupRateLimit).</summary>
    public const string LookupRatePolicy = "lookup";

    public static IEndpointRouteBuilder MapNodeApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(N5gEirEndpoint.Path, N5gEirEndpoint.Handle);
        endpoints.MapGet(ImeiLookupEndpoint.Path, ImeiLookupEndpoint.Handle).RequireRateLimiting(LookupRatePolicy);
        endpoints.MapGet(CheckPageEndpoint.Path, CheckPageEndpoint.Handle).RequireRateLimiting(LookupRatePolicy);
        return endpoints;
    }

    /// <summary>N5g-eir alone: what the SBI port (HTTP/2, for the 5G core) answers.</summary>
    public static IEndpointRouteBuilder MapN5gEir(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(N5gEirEndpoint.Path, N5gEirEndpoint.Handle);
        return endpoints;
    }
}
