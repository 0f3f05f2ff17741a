using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using ImeiEir.Node.Links;
using ImeiEir.Node.Observability;
using ImeiEir.Node.Storage;
using ImeiEir.Store;
using Microsoft.Extensions.DependencyInjection;
using Prometheus;

namespace ImeiEir.Node.Http;

/// <summary>The endpoints every process serves on its HTTP port: liveness, readiness, Prometheus metrics, the store digest.</summary>
public static class OperationalEndpoints
{
    public static IEndpointRouteBuilder MapOperationalEndpoints(this IEndpointRouteBuilder endpoints, NodeMetrics metrics)
    {
        endpoints.MapGet("/health/live", () => Results.Text("live\n"));
        endpoints.MapGet("/health/ready", (NodeReadiness readiness, IServiceProvider services) =>
        {
            NodeSync? sync = services.GetService<NodeSync>();
            // Caught up once is not enough: a node whose store is being rebuilt (a new registry generation, a feed
            // too far behind) refuses every check until it is complete again, so it is not ready either.
            bool storeComplete = services.GetService<StoreLifecycle>() is not { } store || store.Store.IsComplete;
            bool ready = readiness.IsReady && storeComplete;
            var body = new Dictionary<string, object?>
            {
                ["status"] = ready ? "ready" : readiness.IsReady ? "rebuilding" : "catching-up",
                ["storeComplete"] = storeComplete,
                ["sync"] = sync?.Agent?.Status is { } status ? new
                {
                    state = status.State.ToString(),
                    lastApplied = status.LastApplied,
                    registryHead = status.RegistryHead,
                    lagSequences = status.LagSequences,
                    lagSeconds = status.LagSeconds,
                    lastError = status.LastError,
                    registry = status.Registry.ToString(),
                    registrySwitches = status.RegistrySwitches,
                } : null,
            };
            return Results.Json(body, JsonSerializerOptions.Web, statusCode: ready ? 200 : 503);
        });
        endpoints.MapMetrics("/metrics", metrics.Registry);
        endpoints.MapGet("/v1/digest", (IServiceProvider services) =>
        {
            // Operators compare replicas with it; tests compare a node with its registry. A full scan: not for polling.
            if (services.GetService<StoreLifecycle>() is not { } store)
                return Results.Problem(statusCode: 404, title: "No store", detail: "this process runs no EIR node");
            StateDigest digest = StateDigest.Compute(store.Store);
            return Results.Json(new
            {
                records = digest.Records,
                digest = digest.ToString(),
                lastApplied = services.GetService<NodeSync>()?.Agent?.LastApplied ?? 0,
            }, JsonSerializerOptions.Web);
        });
        return endpoints;
    }
}
