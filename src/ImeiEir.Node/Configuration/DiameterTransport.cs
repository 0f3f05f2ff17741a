namespace ImeiEir.Node.Configuration;

/// <summary>How Diameter connections are served (<see cref="DiameterOptions.Transport"/>).</summary>
public enum DiameterTransport
{
    /// <summary>Event loops over epoll (Linux x86-64).</summary>
    Epoll,

    /// <summary>Kestrel's socket transport.</summary>
    Sockets,
}
