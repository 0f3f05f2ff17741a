using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Hosting;

namespace ImeiEir.Node.Diameter;

/// <summary>
/// Kestrel's hook for a raw TCP endpoint: the transport (epoll event loops or Kestrel's sockets) hands us each
/// accepted connection as a pair of pipes (with the configured pause thresholds); we run the Diameter state machine,
/// which asks <see cref="PeerAdmission"/> for a pending slot on accept and an established one at CER.
/// </summary>
internal sealed class DiameterConnectionHandler : ConnectionHandler
{
    private readonly DiameterServices _services;
    private readonly IHostApplicationLifetime _lifetime;
    private int _open;

    public DiameterConnectionHandler(DiameterServices services, IHostApplicationLifetime lifetime)
    {
        _services = services;
        _lifetime = lifetime;
    }

    /// <summary>Connections open right now.</summary>
    public int OpenConnections => Volatile.Read(ref _open);

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        Interlocked.Increment(ref _open);
        try
        {
            using var diameter = new DiameterConnection(
                connection.Transport, _services, (connection.RemoteEndPoint as IPEndPoint)?.Address,
                connection.ConnectionId, connection.RemoteEndPoint?.ToString());
            try
            {
                await diameter.RunAsync(_lifetime.ApplicationStopping);
                NodeLog.PeerClosed(_services.Logger, diameter.PeerHost, connection.ConnectionId, diameter.CloseReason);
            }
            catch (Exception e) when (e is ConnectionResetException or ConnectionAbortedException or IOException or OperationCanceledException)
            {
                // A peer vanishing is part of life on a network, not an error of ours.
                NodeLog.TransportClosed(_services.Logger, connection.ConnectionId, e.Message);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _open);
        }
    }
}
