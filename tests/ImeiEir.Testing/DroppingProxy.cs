using System.Net;
using System.Net.Sockets;

namespace ImeiEir.Testing;

/// <summary>
/// A TCP proxy on 127.0.0.1 (a port chosen at run time) in front of a server on 127.0.0.1 that, for its first
/// <c>dropFirst</c> connections, forwards the request but throws the server's answer away and resets the client's
/// connection as soon as the answer starts: the server did the work, the client saw a lost connection. Later
/// connections are forwarded both ways.
/// </summary>
public sealed class DroppingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _toDrop;
    private int _dropped;

    public DroppingProxy(int targetPort, int dropFirst)
    {
        _target = targetPort;
        _toDrop = dropFirst;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public Uri Url => new($"http://127.0.0.1:{Port}/");

    /// <summary>Answers dropped so far.</summary>
    public int Dropped => Volatile.Read(ref _dropped);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            bool drop = Interlocked.Decrement(ref _toDrop) >= 0;
            _ = RelayAsync(client, drop);
        }
    }

    private async Task RelayAsync(Socket client, bool drop)
    {
        using (client)
        using (var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            try
            {
                await server.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _target), _stop.Token);
                Task up = PumpAsync(client, server);
                if (drop)
                {
                    var buffer = new byte[1];
                    // The first byte of the answer: the server has finished the work the request asked for.
                    await server.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                    Interlocked.Increment(ref _dropped);
                    client.LingerState = new LingerOption(true, 0); // close with RST: "connection reset by peer"
                    return;
                }
                await Task.WhenAny(up, PumpAsync(server, client));
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }
    }

    private async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int n;
            while ((n = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token)) > 0)
                await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, _stop.Token);
            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
