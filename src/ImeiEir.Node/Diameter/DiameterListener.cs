using System.Net;
using ImeiEir.Node.Configuration;
using ImeiEir.Transport.Epoll;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Node.Diameter;

/// <summary>The Diameter listener as a Kestrel endpoint, on the transport <see cref="DiameterOptions.Transport"/> names.</summary>
public static class DiameterListener
{
    /// <summary>
    /// Listens on <see cref="DiameterOptions.Host"/>:<see cref="DiameterOptions.Port"/> for Diameter peers;
    /// <paramref name="listening"/> gets the endpoint's options, whose port is known once the server has started.
    /// </summary>
    public static void ListenDiameter(this KestrelServerOptions kestrel, DiameterOptions options, Action<ListenOptions> listening)
    {
        var address = new IPEndPoint(IPAddress.Parse(options.Host), options.Port);
        kestrel.Listen(options.Transport == DiameterTransport.Epoll ? new EpollEndPoint(address) : address, listen =>
        {
            listen.Protocols = HttpProtocols.None;
            listen.UseConnectionHandler<DiameterConnectionHandler>();
            listening(listen);
        });
    }

    /// <summary>The address a Diameter endpoint is bound to, whichever transport serves it.</summary>
    public static IPEndPoint? BoundEndPoint(ListenOptions? listen) => listen?.EndPoint switch
    {
        EpollEndPoint epoll => epoll.Address,
        var other => other as IPEndPoint,
    };

    /// <summary>Kestrel binds an <see cref="EpollEndPoint"/> through this factory; every other endpoint (HTTP) stays on its sockets.</summary>
    internal static void AddTransport(IServiceCollection services, DiameterOptions options)
    {
        if (options.Transport != DiameterTransport.Epoll)
            return;
        services.AddSingleton<IConnectionListenerFactory>(sp => new EpollTransportFactory(
            options.EffectiveEventLoops, options.MaxReadBufferSize, options.MaxWriteBufferSize,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("ImeiEir.Diameter")));
    }
}
