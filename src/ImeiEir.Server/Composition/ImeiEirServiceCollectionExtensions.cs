using System.Net;
using ImeiEir.AdminConsole;
using ImeiEir.Core;
using ImeiEir.Node;
using ImeiEir.Node.Diameter;
using ImeiEir.Node.Hosting;
using ImeiEir.Node.Http;
using ImeiEir.Node.Links;
using ImeiEir.Node.Observability;
using ImeiEir.Notify;
using ImeiEir.Registry;
using ImeiEir.Server.Hosting;
using ImeiEir.Server.Observability;
using ImeiEir.Sync;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace ImeiEir.Server.Composition;

/// <summary>Wires the components of the configured mode into the host; Program.cs stays a few lines (docs/ARCHITECTURE.md, convention 12).</summary>
internal static class ImeiEirServiceCollectionExtensions
{
    public static ListenEndpoints AddImeiEir(this WebApplicationBuilder builder, ServerSettings settings)
    {
        var endpoints = new ListenEndpoints();
        IServiceCollection services = builder.Services;
        services.AddSingleton(settings);
        services.AddSingleton(endpoints);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(new RegimeClock(TimeProvider.System, settings.Policy.CreateCalendar()));
        services.AddSingleton<NodeReadiness>();
        services.AddSingleton<NodeMetrics>();
        services.AddSingleton(DecisionPolicy.Create(settings.Policy));

        // Start order = registration order; stop order is the reverse, after the listeners have drained:
        // the sync agent stops first, then the registry checkpoints, then the node store checkpoints.
        if (settings.Mode.RunsNode())
            services.AddImeiEirNode(settings.Diameter, settings.Http, settings.Store, settings.Sync, settings.Sightings);
        if (settings.Mode.RunsRegistry())
        {
            services.AddSingleton(settings.Registry);
            services.AddSingleton<RegistryLifecycle>();
            services.AddHostedService(sp => sp.GetRequiredService<RegistryLifecycle>());
            services.AddSingleton(sp => sp.GetRequiredService<RegistryLifecycle>().Service);
            services.AddSingleton(sp => sp.GetRequiredService<RegistryLifecycle>().Intake);
            services.AddSingleton(sp => sp.GetRequiredService<RegistryLifecycle>().Clones);
            services.AddSingleton(sp => sp.GetRequiredService<RegistryLifecycle>().Registry.Followers);
            services.AddSingleton(sp => sp.GetRequiredService<RegistryLifecycle>().Registry.Overview);
            services.AddSingleton<RegistryMetrics>();
            // After the registry, so the sender starts once the registry is open and stops before it checkpoints.
            // Several registry processes on one stream share the outbox and take turns sending (docs/ARCHITECTURE.md, "Notices").
            bool jetStream = string.Equals(settings.Registry.Log?.Trim(), RegistryOptions.JetStreamLog, StringComparison.OrdinalIgnoreCase);
            if (jetStream)
                services.AddSingleton(_ => NotifierSharing.OpenAsync(settings.Registry.Nats, settings.Notify.Lease, CancellationToken.None).GetAwaiter().GetResult());
            services.AddImeiEirNotify(settings.Notify, jetStream ? sp => sp.GetRequiredService<NotifierSharing>().Sharing : null);
            services.AddSingleton<IBackupSectionSource, NotifierBackupSource>();
            services.AddSingleton<RegistryNotices>();
            services.AddHostedService(sp => sp.GetRequiredService<RegistryNotices>());
            services.AddSingleton<NotifyMetrics>();
        }
        if (settings.Mode.RunsNode())
            services.AddImeiEirNodeSync(sp => RegistryOf(settings, endpoints, sp));

        // Shutdown sends DPR and waits for DPA, then writes the final checkpoints: give it that long before the host
        // gives up (the default 30 s cancels the checkpoint of a large store half-way).
        services.Configure<Microsoft.Extensions.Hosting.HostOptions>(o =>
            o.ShutdownTimeout = settings.Diameter.DisconnectTimeout + settings.Store.ShutdownCheckpointTimeout + TimeSpan.FromSeconds(5));

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
                kestrel.ListenDiameter(settings.Diameter, listen => endpoints.Diameter = listen);
            kestrel.Listen(IPAddress.Parse(settings.Http.Host), settings.Http.Port, listen => endpoints.Http = listen);
            if (settings.Mode.RunsNode())
                kestrel.ListenSbi(settings.Sbi, listen => endpoints.Sbi = listen);
            if (settings.Mode.RunsRegistry())
                kestrel.Listen(IPAddress.Parse(settings.Registry.Host), settings.Registry.Port, listen => endpoints.Registry = listen);
        });
        return endpoints;
    }

    /// <summary>Where the node follows the registry: this process's own registry endpoint all-in-one, else the configured one.</summary>
    private static RegistryLocator RegistryOf(ServerSettings settings, ListenEndpoints endpoints, IServiceProvider services) =>
        settings.Mode.RunsRegistry()
            ? () => new RegistryLink(new Uri($"http://{endpoints.RegistryEndPoint}"), services.GetRequiredService<RegistryLifecycle>().Service.ReaderToken)
            : () => RegistryLink.Parse(settings.Registry.Url!, settings.Registry.ReaderToken!);

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
                    // Readers see, admins change (issue 25): notices to admins and named readers, imports to admins.
                    e.MapNotifyApi(app.Services.GetRequiredService<Notifier>(),
                        context => RegistryEndpoints.HasAdminToken(context, context.RequestServices.GetRequiredService<RegistryService>()),
                        context => RegistryReadAccess.CanReadSubscriberData(context, context.RequestServices.GetRequiredService<RegistryService>()));
                    e.MapAdminConsole(); // /admin: static pages over the API above, same origin (README, "The admin console")
                });
            });
        }
        if (settings.Mode.RunsNode())
        {
            // N5g-eir only: the lookup, health and metrics stay on the HTTP port, where people and scrapers look.
            app.MapWhen(c => c.Connection.LocalPort == endpoints.SbiEndPoint?.Port, sbi =>
            {
                sbi.UseRouting();
                sbi.UseEndpoints(e => e.MapN5gEir());
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
            app.Services.ActivateNodeMetrics();
        if (settings.Mode.RunsRegistry())
        {
            app.Services.GetRequiredService<RegistryMetrics>();
            app.Services.GetRequiredService<NotifyMetrics>();
        }
    }
}
