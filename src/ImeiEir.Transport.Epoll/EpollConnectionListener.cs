using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace ImeiEir.Transport.Epoll;

/// <summary>
/// A listening socket whose accepted connections are spread round-robin over the transport's event loops.
/// Accepting is rare and stays on the runtime's own async sockets; only the accepted sockets live on epoll.
/// </summary>
internal sealed class EpollConnectionListener : IConnectionListener
{
    private readonly Socket _listen;
    private readonly EpollLoop[] _loops;
    private readonly PinnedBlockPool _pool = new();
    private readonly long _maxReadBuffer;
    private readonly long _maxWriteBuffer;
    private int _next;

    public EpollConnectionListener(IPEndPoint endPoint, int loops, long maxReadBuffer, long maxWriteBuffer)
    {
        _listen = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (endPoint.Address.Equals(IPAddress.IPv6Any))
            _listen.DualMode = true;
        try
        {
            _listen.Bind(endPoint);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            _listen.Dispose();
            throw new AddressInUseException(e.Message, e);
        }
        _listen.Listen(512);
        _maxReadBuffer = maxReadBuffer;
        _maxWriteBuffer = maxWriteBuffer;
        _loops = new EpollLoop[loops];
        for (int i = 0; i < loops; i++)
            _loops[i] = new EpollLoop($"Diameter epoll {i}");
        EndPoint = new EpollEndPoint((IPEndPoint)_listen.LocalEndPoint!);
    }

    public EndPoint EndPoint { get; }

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await _listen.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                return null; // unbound
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.OperationAborted or SocketError.Interrupted)
            {
                return null;
            }
            catch (SocketException)
            {
                continue; // the peer gave up before we took it (ECONNABORTED): nothing to serve
            }
            socket.NoDelay = true; // answers are small and latency-bound; never wait on Nagle
            socket.Blocking = false;
            EpollLoop loop = _loops[(uint)Interlocked.Increment(ref _next) % (uint)_loops.Length];
            var connection = new EpollConnection(socket, loop, _pool, _maxReadBuffer, _maxWriteBuffer);
            if (connection.Start())
                return connection;
            socket.Dispose();
        }
    }

    public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        _listen.Dispose();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _listen.Dispose();
        foreach (EpollLoop loop in _loops)
            loop.Dispose();
        _pool.Dispose();
        return ValueTask.CompletedTask;
    }
}
