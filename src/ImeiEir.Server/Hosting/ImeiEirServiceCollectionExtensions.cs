using System.Net;
using ImeiEir.Core;
using ImeiEir.Diameter;
using ImeiEir.Registry;
using ImeiEir.Server.Diameter;
using ImeiEir.Server.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

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
        services.AddSingleton<NodeReadiness>();

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
        }
        if (settings.Mode.RunsNode())
        {
            services.AddSingleton<NodeSync>();
            services.AddHostedService(sp => sp.GetRequiredService<NodeSync>());
        }

        // Shutdown sends DPR and waits for DPA: give it that long before the host gives up.
        services.Configure<Microsoft.Extensions.Hosting.HostOptions>(o =>
            o.ShutdownTimeout = settings.Diameter.DisconnectTimeout + TimeSpan.FromSeconds(5));

        builder.WebHost.UseSockets(o =>
        {
            o.NoDelay = true; // answers are small and latency-bound; never wait on Nagle
            o.MaxReadBufferSize = settings.Diameter.MaxReadBufferSize;
            o.MaxWriteBufferSize = settings.Diameter.MaxWriteBufferSize;
        });
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            if (settings.Mode.RunsNode())
            {
                kestrel.Listen(IPAddress.Parse(settings.Diameter.Host), settings.Diameter.Port, listen =>
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
        services.AddSingleton(DecisionPolicy.Create(settings.Policy));
        services.AddSingleton<StoreLifecycle>();
        services.AddHostedService(sp => sp.GetRequiredService<StoreLifecycle>());
        services.AddSingleton(sp => new DiameterServices(
            settings.Diameter,
            new LocalIdentity(settings.Diameter.OriginHost, settings.Diameter.OriginRealm, IPAddress.Parse(settings.Diameter.Host)),
            sp.GetRequiredService<DecisionPolicy>(),
            () => sp.GetRequiredService<StoreLifecycle>().Store,
            sp.GetRequiredService<TimeProvider>(),
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
                registry.UseEndpoints(e => e.MapRegistryApi());
            });
        }
        app.MapWhen(c => c.Connection.LocalPort == endpoints.HttpEndPoint?.Port, http =>
        {
            http.UseRouting();
            http.UseEndpoints(e => e.MapOperationalEndpoints());
        });
        if (settings.Mode.RunsNode())
            SyncMetrics.Register(app.Services.GetRequiredService<NodeSync>());
    }
}

/// <summary>The bound endpoints; ports chosen by the OS (port 0) are known once the server has started.</summary>
internal sealed class ListenEndpoints
{
    public ListenOptions? Diameter { get; set; }

    public ListenOptions? Http { get; set; }

    public ListenOptions? Registry { get; set; }

    public IPEndPoint? DiameterEndPoint => Diameter?.IPEndPoint;

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
