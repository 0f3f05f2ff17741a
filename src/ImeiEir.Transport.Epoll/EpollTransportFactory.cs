using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Transport.Epoll;

/// <summary>Kestrel's hook for the epoll transport: binds <see cref="EpollEndPoint"/>s and nothing else.</summary>
public sealed class EpollTransportFactory(int eventLoops, long maxReadBuffer, long maxWriteBuffer, ILogger logger)
    : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    /// <summary>True where the transport runs: Linux on x86-64 (the layout of <c>epoll_event</c> it knows).</summary>
    public static bool IsSupported => EpollNative.IsSupported;

    public bool CanBind(EndPoint endpoint) => endpoint is EpollEndPoint;

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        if (endpoint is not EpollEndPoint epoll)
            throw new NotSupportedException($"the epoll transport binds only {nameof(EpollEndPoint)}, not {endpoint.GetType().Name}");
        var listener = new EpollConnectionListener(epoll.Address, eventLoops, maxReadBuffer, maxWriteBuffer);
        EpollLog.Listening(logger, listener.EndPoint.ToString()!, eventLoops);
        return ValueTask.FromResult<IConnectionListener>(listener);
    }
}
