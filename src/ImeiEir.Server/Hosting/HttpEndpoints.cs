using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Prometheus;

namespace ImeiEir.Server.Hosting;

/// <summary>The endpoints every process serves on its HTTP port: liveness, readiness, Prometheus metrics.</summary>
internal static class HttpEndpoints
{
    public static IEndpointRouteBuilder MapOperationalEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/health/live", () => Results.Text("live\n"));
        endpoints.MapGet("/health/ready", (NodeReadiness readiness, IServiceProvider services) =>
        {
            NodeSync? sync = services.GetService<NodeSync>();
            var body = new Dictionary<string, object?>
            {
                ["status"] = readiness.IsReady ? "ready" : "catching-up",
                ["sync"] = sync?.Agent?.Status is { } status ? new
                {
                    state = status.State.ToString(),
                    lastApplied = status.LastApplied,
                    registryHead = status.RegistryHead,
                    lagSequences = status.LagSequences,
                    lagSeconds = status.LagSeconds,
                    lastError = status.LastError,
                } : null,
            };
            return Results.Json(body, JsonSerializerOptions.Web, statusCode: readiness.IsReady ? 200 : 503);
        });
        endpoints.MapMetrics("/metrics");
        return endpoints;
    }
}
