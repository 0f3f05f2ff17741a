using System.Net;

namespace ImeiEir.Transport.Epoll;

/// <summary>
/// An address for the epoll transport. A type of its own, not an <see cref="IPEndPoint"/>, so Kestrel hands exactly
/// this listener to <see cref="EpollTransportFactory"/> and every other one (HTTP) to its socket transport.
/// </summary>
public sealed class EpollEndPoint(IPEndPoint address) : EndPoint
{
    public IPEndPoint Address { get; } = address;

    public override string ToString() => Address.ToString();
}
