using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Server.Transport;

/// <summary>Kestrel's hook for the epoll transport: binds <see cref="EpollEndPoint"/>s and nothing else.</summary>
internal sealed class EpollTransportFactory(int eventLoops, long maxReadBuffer, long maxWriteBuffer, ILogger logger)
    : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    public bool CanBind(EndPoint endpoint) => endpoint is EpollEndPoint;

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        if (endpoint is not EpollEndPoint epoll)
            throw new NotSupportedException($"the epoll transport binds only {nameof(EpollEndPoint)}, not {endpoint.GetType().Name}");
        var listener = new EpollConnectionListener(epoll.Address, eventLoops, maxReadBuffer, maxWriteBuffer);
        ServerLog.EpollListening(logger, listener.EndPoint.ToString()!, eventLoops);
        return ValueTask.FromResult<IConnectionListener>(listener);
    }
}
