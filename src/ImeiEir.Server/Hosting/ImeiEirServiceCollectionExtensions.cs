using System.Net;
using ImeiEir.Core;
using ImeiEir.Diameter;
using ImeiEir.Notify;
using ImeiEir.Registry;
using ImeiEir.Server.Diameter;
using ImeiEir.Server.Storage;
using ImeiEir.Transport.Epoll;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Logging;
using System.Threading.RateLimiting;
using ImeiEir.Server.Http;
using ImeiEir.Server.Node;
using ImeiEir.Server.Observability;

namespace ImeiEir.Server.Hosting;

/// <summary>Wires the components of the configured mode into the host; Program.cs stays a few lines (STYLE 12).</summary>
internal static class ImeiEirServiceCollectionExtensions
{
    public static ListenEndpoints AddImeiEir(this WebApplicationBuilder builder, ServerSettings settings)
    {
        var endpoints = new ListenEndpoints();
        IServiceCollection services = builder.Services;
        services.AddSingleton(settings);
        services.AddSingleton(endpoints);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(RegimeClock.System);
        services.AddSingleton<NodeReadiness>();
        services.AddSingleton<NodeMetrics>();
        services.AddSingleton(DecisionPolicy.Create(settings.Policy));

        // Start order = registration order; stop order is the reverse, after the listeners have drained:
        // the sync agent stops first, then the registry checkpoints, then the node store checkpoints.
        if (settings.Mode.RunsNode())
            AddNode(services, settings);
        if (settings.Mode.RunsRegistry())
        {
            services.AddSingleton(settings.Registry);
            services.AddSingleton<RegistryLifecycle>();
            services.AddHostedService(sp => sp.GetRequiredService<RegistryLifecycle>());
            services.AddSingleton(sp => sp.GetRequiredService<RegistryLifecycle>().Service);
            services.AddSingleton(sp => sp.GetRequiredService<RegistryLifecycle>().Intake);
            services.AddSingleton<RegistryMetrics>();
            // After the registry, so the sender starts once the registry is open and stops before it checkpoints.
            services.AddImeiEirNotify(settings.Notify);
            services.AddSingleton<RegistryNotices>();
            services.AddHostedService(sp => sp.GetRequiredService<RegistryNotices>());
            services.AddSingleton<NotifyMetrics>();
        }
        if (settings.Mode.RunsNode())
        {
            services.AddSingleton<NodeSync>();
            services.AddHostedService(sp => sp.GetRequiredService<NodeSync>());
            services.AddSingleton<NodeStateMetrics>();
            services.AddSingleton<CheckerPool>();
            AddLookupRateLimit(services, settings.Http);
        }

        // Shutdown sends DPR and waits for DPA, then writes the final checkpoints: give it that long before the host
        // gives up (the default 30 s cancels the checkpoint of a large store half-way).
        services.Configure<Microsoft.Extensions.Hosting.HostOptions>(o =>
            o.ShutdownTimeout = settings.Diameter.DisconnectTimeout + settings.Store.ShutdownCheckpointTimeout + TimeSpan.FromSeconds(5));

        if (settings.Mode.RunsNode() && settings.Diameter.Transport == DiameterTransport.Epoll)
        {
            services.AddSingleton<IConnectionListenerFactory>(sp => new EpollTransportFactory(
                settings.Diameter.EffectiveEventLoops, settings.Diameter.MaxReadBufferSize, settings.Diameter.MaxWriteBufferSize,
                sp.GetRequiredService<ILoggerFactory>().CreateLogger("ImeiEir.Diameter")));
        }
        builder.WebHost.UseSockets(o =>
        {
            o.NoDelay = true; // answers are small and latency-bound; never wait on Nagle
            o.MaxReadBufferSize = settings.Diameter.MaxReadBufferSize;
            o.MaxWriteBufferSize = settings.Diameter.MaxWriteBufferSize;
            o.UnsafePreferInlineScheduling = settings.Diameter.InlineScheduling;
            o.WaitForDataBeforeAllocatingBuffer = settings.Diameter.WaitForDataBeforeAllocatingBuffer;
            if (settings.Diameter.IOQueueCount >= 0) o.IOQueueCount = settings.Diameter.IOQueueCount;
        });
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            if (settings.Mode.RunsNode())
            {
                var address = new IPEndPoint(IPAddress.Parse(settings.Diameter.Host), settings.Diameter.Port);
                kestrel.Listen(settings.Diameter.Transport == DiameterTransport.Epoll ? new EpollEndPoint(address) : address, listen =>
                {
                    listen.Protocols = HttpProtocols.None;
                    listen.UseConnectionHandler<DiameterConnectionHandler>();
                    endpoints.Diameter = listen;
                });
            }
            kestrel.Listen(IPAddress.Parse(settings.Http.Host), settings.Http.Port, listen => endpoints.Http = listen);
            if (settings.Mode.RunsRegistry())
                kestrel.Listen(IPAddress.Parse(settings.Registry.Host), settings.Registry.Port, listen => endpoints.Registry = listen);
        });
        return endpoints;
    }

    private static void AddNode(IServiceCollection services, ServerSettings settings)
    {
        services.AddSingleton(settings.Diameter);
        services.AddSingleton(new SightingQueue(settings.Sightings.QueueCapacity));
        services.AddSingleton(new AttachFilter(settings.Sightings.AttachFilterSlots));
        services.AddSingleton<StoreLifecycle>();
        services.AddHostedService(sp => sp.GetRequiredService<StoreLifecycle>());
        services.AddSingleton(sp => new DiameterServices(
            settings.Diameter,
            new LocalIdentity(settings.Diameter.OriginHost, settings.Diameter.OriginRealm, IPAddress.Parse(settings.Diameter.Host)),
            sp.GetRequiredService<DecisionPolicy>(),
            () => sp.GetRequiredService<StoreLifecycle>().Store,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<RegimeClock>(),
            sp.GetRequiredService<SightingQueue>(),
            sp.GetRequiredService<AttachFilter>(),
            sp.GetRequiredService<NodeMetrics>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("ImeiEir.Diameter")));
        services.AddSingleton<DiameterConnectionHandler>();
    }

    /// <summary>Routes each HTTP port to its own endpoints: the registry API never answers on the node's port.</summary>
    public static void MapImeiEir(this WebApplication app, ServerSettings settings, ListenEndpoints endpoints)
    {
        if (settings.Mode.RunsRegistry())
        {
            app.MapWhen(c => c.Connection.LocalPort == endpoints.RegistryEndPoint?.Port, registry =>
            {
                registry.UseRouting();
                registry.UseEndpoints(e =>
                {
                    e.MapRegistryApi();
                    e.MapNotifyApi(app.Services.GetRequiredService<Notifier>(),
                        context => RegistryEndpoints.HasAdminToken(context, context.RequestServices.GetRequiredService<RegistryService>()));
                });
            });
        }
        app.MapWhen(c => c.Connection.LocalPort == endpoints.HttpEndPoint?.Port, http =>
        {
            http.UseRouting();
            if (settings.Mode.RunsNode())
                http.UseRateLimiter();
            http.UseEndpoints(e =>
            {
                e.MapOperationalEndpoints(app.Services.GetRequiredService<NodeMetrics>());
                if (settings.Mode.RunsNode())
                    e.MapNodeApi();
            });
        });
        // Created now so their collectors are registered before the first scrape.
        if (settings.Mode.RunsNode())
            app.Services.GetRequiredService<NodeStateMetrics>();
        if (settings.Mode.RunsRegistry())
        {
            app.Services.GetRequiredService<RegistryMetrics>();
            app.Services.GetRequiredService<NotifyMetrics>();
        }
    }

    private static void AddLookupRateLimit(IServiceCollection services, HttpOptions http) => services.AddRateLimiter(limiter =>
    {
        // Per client address: a shop checking phones all day is fine, a scraper enumerating IMEIs is not.
        limiter.AddPolicy(NodeApi.LookupRatePolicy, context => RateLimitPartition.GetFixedWindowLimiter(
            context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
            _ => new FixedWindowRateLimiterOptions { PermitLimit = http.LookupRateLimit, Window = http.LookupRateWindow, QueueLimit = 0 }));
        limiter.OnRejected = async (rejected, ct) =>
        {
            HttpResponse response = rejected.HttpContext.Response;
            if (rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan retryAfter))
                response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await Http.ProblemResults.Problem(429, "Too many requests",
                    $"at most {http.LookupRateLimit} lookups per {http.LookupRateWindow.TotalSeconds:0} s from one address; try again later")
                .ExecuteAsync(rejected.HttpContext);
        };
    });
}

/// <summary>The bound endpoints; ports chosen by the OS (port 0) are known once the server has started.</summary>
internal sealed class ListenEndpoints
{
    public ListenOptions? Diameter { get; set; }

    public ListenOptions? Http { get; set; }

    public ListenOptions? Registry { get; set; }

    public IPEndPoint? DiameterEndPoint => Diameter?.EndPoint switch
    {
        EpollEndPoint epoll => epoll.Address,
        var other => other as IPEndPoint,
    };

    public IPEndPoint? HttpEndPoint => Http?.IPEndPoint;

    public IPEndPoint? RegistryEndPoint => Registry?.IPEndPoint;

    /// <summary>A line naming every bound endpoint of this process, after <paramref name="prefix"/>.</summary>
    public string EndpointsLine(string prefix)
    {
        var parts = new List<string>();
        if (DiameterEndPoint is { } d) parts.Add($"diameter={d}");
        if (HttpEndPoint is { } h) parts.Add($"http={h}");
        if (RegistryEndPoint is { } r) parts.Add($"registry={r}");
        return prefix + " " + string.Join(' ', parts);
    }
}
