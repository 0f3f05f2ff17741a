using System.Net;
using Microsoft.AspNetCore.Connections;

namespace ImeiEir.Server.Transport;

/// <summary>Kestrel's hook for the epoll transport: binds <see cref="EpollEndPoint"/>s and nothing else.</summary>
internal sealed class EpollTransportFactory(int eventLoops, long maxReadBuffer, long maxWriteBuffer)
    : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    public bool CanBind(EndPoint endpoint) => endpoint is EpollEndPoint;

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        if (endpoint is not EpollEndPoint epoll)
            throw new NotSupportedException($"the epoll transport binds only {nameof(EpollEndPoint)}, not {endpoint.GetType().Name}");
        return ValueTask.FromResult<IConnectionListener>(new EpollConnectionListener(epoll.Address, eventLoops, maxReadBuffer, maxWriteBuffer));
    }
}
