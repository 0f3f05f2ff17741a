using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Hosting;

namespace ImeiEir.Node.Diameter;

/// <summary>
/// Kestrel's hook for a raw TCP endpoint: the transport (epoll event loops or Kestrel's sockets) hands us each
/// accepted connection as a pair of pipes (with the configured pause thresholds); we count connections and run the
/// Diameter state machine.
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
        if (!_services.StoreComplete)
        {
            // Never a list answer from a store that lacks part of the lists (docs/ARCHITECTURE.md, "Diameter S13 wire
            // facts"): close at once, before CER. An MME takes a closed transport for a peer down, fails over to another
            // EIR of the realm and reconnects after its Tc timer (RFC 6733 §5.6), whereas a CEA error (3004, 5012) makes
            // some stacks wait minutes or stop trying that peer at all.
            NodeLog.ConnectionRefusedIncomplete(_services.Logger, connection.ConnectionId, connection.RemoteEndPoint?.ToString(), OpenConnections);
            return;
        }
        int open = Interlocked.Increment(ref _open);
        try
        {
            using var diameter = new DiameterConnection(
                connection.Transport, _services, overLimit: open > _services.Options.MaxConnections,
                connection.ConnectionId, connection.RemoteEndPoint?.ToString());
            try
            {
                await diameter.RunAsync(_lifetime.ApplicationStopping);
                diameter.LogClosed();
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
