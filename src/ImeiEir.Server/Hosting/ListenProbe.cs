using System.Net;
using System.Net.Sockets;

namespace ImeiEir.Server.Hosting;

/// <summary>A configured port the process cannot listen on: the message is one line naming the address, the cause and the key.</summary>
public sealed class ListenException(string message) : Exception(message);

/// <summary>
/// Binds every configured listening endpoint with a fixed port once and lets it go again, before anything is opened,
/// so a port another process holds stops start-up with one line instead of Kestrel's bind failure after the data
/// directory was opened. Port 0 (the OS picks) cannot be busy and is not probed.
/// </summary>
public static class ListenProbe
{
    /// <summary>Throws <see cref="ListenException"/> for the first endpoint of <paramref name="settings"/> that cannot be bound.</summary>
    public static void Check(ServerSettings settings)
    {
        if (settings.Mode.RunsNode())
            Probe(settings.Diameter.Host, settings.Diameter.Port, "Diameter:Port");
        Probe(settings.Http.Host, settings.Http.Port, "Http:Port");
        if (settings.Mode.RunsNode())
            Probe(settings.Sbi.Host, settings.Sbi.Port, "Sbi:Port");
        if (settings.Mode.RunsRegistry())
            Probe(settings.Registry.Host, settings.Registry.Port, "Registry:Port");
    }

    private static void Probe(string host, int port, string key)
    {
        if (port == 0)
            return;
        var endPoint = new IPEndPoint(IPAddress.Parse(host), port);
        using var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        // As Kestrel binds on Linux: a port left in TIME_WAIT is free, one another socket listens on is not.
        if (!OperatingSystem.IsWindows())
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        try
        {
            socket.Bind(endPoint);
            socket.Listen(1);
        }
        catch (SocketException e)
        {
            throw new ListenException($"cannot listen on {endPoint}: {Cause(e)} ({key})");
        }
    }

    private static string Cause(SocketException e) => e.SocketErrorCode switch
    {
        SocketError.AddressAlreadyInUse => "address already in use",
        SocketError.AccessDenied => "permission denied",
        SocketError.AddressNotAvailable => "address not available on this host",
        _ => e.Message,
    };
}
