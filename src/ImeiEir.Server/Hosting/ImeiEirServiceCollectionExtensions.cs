using System.Net;
using ImeiEir.Core;
using ImeiEir.Diameter;
using ImeiEir.Server.Diameter;
using ImeiEir.Server.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Server.Hosting;

/// <summary>Wires the node's components into the host; Program.cs stays a few lines (STYLE 12).</summary>
internal static class ImeiEirServiceCollectionExtensions
{
    /// <summary>Registers the store, the policy and the Diameter endpoint on Kestrel.</summary>
    public static ListenEndpoints AddImeiEir(this WebApplicationBuilder builder, ServerSettings settings)
    {
        var endpoints = new ListenEndpoints();
        IServiceCollection services = builder.Services;
        services.AddSingleton(settings);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(settings.Diameter);
        services.AddSingleton(DecisionPolicy.Create(settings.Policy));
        services.AddSingleton<StoreLifecycle>();
        services.AddHostedService(sp => sp.GetRequiredService<StoreLifecycle>());
        services.AddSingleton(sp => new DiameterServices(
            settings.Diameter,
            new LocalIdentity(settings.Diameter.OriginHost, settings.Diameter.OriginRealm, ListenAddress(settings.Diameter)),
            sp.GetRequiredService<DecisionPolicy>(),
            () => sp.GetRequiredService<StoreLifecycle>().Store,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("ImeiEir.Diameter")));
        services.AddSingleton<DiameterConnectionHandler>();

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
            kestrel.Listen(ListenAddress(settings.Diameter), settings.Diameter.Port, listen =>
            {
                listen.Protocols = HttpProtocols.None;
                listen.UseConnectionHandler<DiameterConnectionHandler>();
                endpoints.Diameter = listen;
            });
        });
        return endpoints;
    }

    private static IPAddress ListenAddress(DiameterOptions options) => IPAddress.Parse(options.Host);
}

/// <summary>The bound endpoints; ports chosen by the OS (port 0) are known once the server has started.</summary>
internal sealed class ListenEndpoints
{
    public ListenOptions? Diameter { get; set; }

    public IPEndPoint? DiameterEndPoint => Diameter?.IPEndPoint;
}
