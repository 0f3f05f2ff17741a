using System.Net;
using ImeiEir.Node.Observability;
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
        if (!_services.StoreComplete)
        {
            // Never a list answer from a store that lacks part of the lists (docs/ARCHITECTURE.md, "Diameter S13 wire
            // facts"): close at once, before CER. An MME takes a closed transport for a peer down, fails over to another
            // EIR of the realm and reconnects after its Tc timer (RFC 6733 §5.6), whereas a CEA error (3004, 5012) makes
            // some stacks wait minutes or stop trying that peer at all.
            LogRefusedIncomplete(connection);
            return;
        }
        Interlocked.Increment(ref _open);
        try
        {
            using var diameter = new DiameterConnection(
                connection.Transport, _services, (connection.RemoteEndPoint as IPEndPoint)?.Address,
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

    // An MME retrying every few seconds through a long bootstrap must not fill the log: limited per address as the
    // connection's own lines are (LogRateLimiter).
    private void LogRefusedIncomplete(ConnectionContext connection)
    {
        string? remote = connection.RemoteEndPoint?.ToString();
        string source = LogRateLimiter.SourceOf(remote);
        LogRateLimiter limits = _services.LogLimits;
        if (!limits.ShouldLog(source, EventConnectionRefusedIncomplete, out int suppressed))
            return;
        if (suppressed > 0)
            NodeLog.Suppressed(_services.Logger, suppressed, source, nameof(NodeLog.ConnectionRefusedIncomplete), limits.LinesPerInterval, limits.Interval);
        NodeLog.ConnectionRefusedIncomplete(_services.Logger, connection.ConnectionId, remote, OpenConnections);
    }

    // NodeLog's event id of the line above; the rate limit counts each kind of line apart.
    private const int EventConnectionRefusedIncomplete = 26;
}
