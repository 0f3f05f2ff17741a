using System.Net;
using System.Threading.RateLimiting;
using ImeiEir.Core;
using ImeiEir.Core.Tac;
using ImeiEir.Diameter;
using ImeiEir.Node.Checking;
using ImeiEir.Node.Configuration;
using ImeiEir.Node.Diameter;
using ImeiEir.Node.Http;
using ImeiEir.Node.Links;
using ImeiEir.Node.Observability;
using ImeiEir.Node.Storage;
using ImeiEir.Store;
using ImeiEir.Sync;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Node.Hosting;

/// <summary>
/// Registers an EIR node's components in a host. The host provides <see cref="TimeProvider"/>, <see cref="RegimeClock"/>,
/// <see cref="DecisionPolicy"/>, <see cref="NodeMetrics"/> and <see cref="NodeReadiness"/>, listens with
/// <see cref="DiameterListener.ListenDiameter"/> and maps <see cref="NodeApi.MapNodeApi"/> and
/// <see cref="OperationalEndpoints.MapOperationalEndpoints"/>.
/// </summary>
public static class NodeServiceCollectionExtensions
{
    /// <summary>
    /// The node's answer side: its options, the sighting queue and attach filter, the store (a hosted service, so it is
    /// open before the listeners accept anyone and checkpointed after they drain), the Diameter connections and their
    /// transport, the checkers of HTTP requests, the node's state metrics and the lookup rate limit. Hosted services
    /// stop in reverse order: register this before anything the store must outlive.
    /// <paramref name="store"/> must name its directory.
    /// </summary>
    public static IServiceCollection AddImeiEirNode(this IServiceCollection services, DiameterOptions diameter, HttpOptions http,
        StoreOptions store, SyncOptions sync, SightingsOptions sightings)
    {
        services.AddSingleton(diameter);
        services.AddSingleton(http);
        services.AddSingleton(store);
        services.AddSingleton(sync);
        services.AddSingleton(sightings);
        services.AddSingleton(new SightingQueue(sightings.QueueCapacity));
        services.AddSingleton(new TacTableSlot());
        services.AddSingleton(sp => new AttachFilter(sightings.AttachFilterSlots, sp.GetRequiredService<RegimeClock>().Calendar));
        services.AddSingleton<StoreLifecycle>();
        services.AddHostedService(sp => sp.GetRequiredService<StoreLifecycle>());
        services.AddSingleton(sp => new DiameterServices(
            diameter,
            new LocalIdentity(diameter.OriginHost, diameter.OriginRealm, IPAddress.Parse(diameter.Host)),
            sp.GetRequiredService<DecisionPolicy>(),
            () => sp.GetRequiredService<StoreLifecycle>().Store,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<RegimeClock>(),
            sp.GetRequiredService<SightingQueue>(),
            sp.GetRequiredService<AttachFilter>(),
            sp.GetRequiredService<NodeMetrics>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("ImeiEir.Diameter"),
            sp.GetRequiredService<TacTableSlot>()));
        services.AddSingleton<DiameterConnectionHandler>();
        DiameterListener.AddTransport(services, diameter);
        services.AddSingleton<NodeStateMetrics>();
        services.AddSingleton<CheckerPool>();
        AddLookupRateLimit(services, http);
        return services;
    }

    /// <summary>
    /// The node's links to the registry (feed in, sightings out), started once the listeners are bound and asking
    /// <paramref name="registry"/> then where the registry is. Register after everything the links use (the store, an
    /// own registry): hosted services stop in reverse order, so the links stop first.
    /// </summary>
    public static IServiceCollection AddImeiEirNodeSync(this IServiceCollection services, Func<IServiceProvider, RegistryLocator> registry)
    {
        services.AddSingleton(registry);
        services.AddSingleton<NodeSync>();
        services.AddHostedService(sp => sp.GetRequiredService<NodeSync>());
        return services;
    }

    /// <summary>Creates the node's state metrics now, so their collectors are registered before the first scrape.</summary>
    public static void ActivateNodeMetrics(this IServiceProvider services) => services.GetRequiredService<NodeStateMetrics>();

    private static void AddLookupRateLimit(IServiceCollection services, HttpOptions http) => services.AddRateLimiter(limiter =>
    {
        // Per client address: a shop checking phones all day is fine, a scraper enumerating IMEIs is not.
        // The check page's bare form looks nothing up; a check on it shares the address's window with the JSON lookup.
        limiter.AddPolicy(NodeApi.LookupRatePolicy, context => CheckPageEndpoint.IsFormOnly(context.Request)
            ? RateLimitPartition.GetNoLimiter("check form")
            : RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = http.LookupRateLimit, Window = http.LookupRateWindow, QueueLimit = 0 }));
        limiter.OnRejected = async (rejected, ct) =>
        {
            HttpResponse response = rejected.HttpContext.Response;
            if (rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan retryAfter))
                response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (CheckPageEndpoint.IsCheckPage(rejected.HttpContext.Request))
            {
                await CheckPageEndpoint.WriteTooManyAsync(rejected.HttpContext);
                return;
            }
            await ProblemResults.Problem(429, "Too many requests",
                    $"at most {http.LookupRateLimit} lookups per {http.LookupRateWindow.TotalSeconds:0} s from one address; try again later")
                .ExecuteAsync(rejected.HttpContext);
        };
    });
}
