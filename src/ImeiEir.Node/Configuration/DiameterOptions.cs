using ImeiEir.Transport.Epoll;

namespace ImeiEir.Node.Configuration;

/// <summary>The Diameter S13 listener (configuration section <c>Diameter</c>).</summary>
public sealed class DiameterOptions
{
    public const string Section = "Diameter";

    /// <summary>Address to listen on. Default 127.0.0.1; set 0.0.0.0 (or a NIC address) to serve the core network.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>TCP port. Default 3868 (RFC 6733 §2.1); 0 picks a free port, announced on stdout.</summary>
    public int Port { get; set; } = 3868;

    /// <summary>Our Origin-Host DiameterIdentity. Default eir.localdomain.</summary>
    public string OriginHost { get; set; } = "eir.localdomain";

    /// <summary>Our Origin-Realm. Default localdomain.</summary>
    public string OriginRealm { get; set; } = "localdomain";

    /// <summary>Largest message accepted, in bytes, header included. Default 65536. A longer frame closes the connection.</summary>
    public int MaxMessageSize { get; set; } = 64 * 1024;

    /// <summary>
    /// Established peers (connections whose CER was answered 2001) allowed at once. Default 1024. A CER beyond it gets
    /// 3004 TOO_BUSY and the connection is closed. A connection still waiting for its CER never holds one of these
    /// slots: those count toward <see cref="MaxPendingConnections"/>.
    /// </summary>
    public int MaxConnections { get; set; } = 1024;

    /// <summary>
    /// Connections accepted but without a successful CER yet, allowed at once. Default 64. When one more arrives the
    /// oldest of them is closed to make room, so sockets that never say hello cannot lock the operator's MMEs out: a
    /// real peer sends its CER one round trip after connecting, and to push it out an attacker would have to open
    /// this many connections within that round trip.
    /// </summary>
    public int MaxPendingConnections { get; set; } = 64;

    /// <summary>Tw (RFC 3539 §3.4.1): after this much silence from a peer we send DWR. Default 30 s.</summary>
    public TimeSpan WatchdogInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Silence after which a peer is considered dead and its connection closed. Default 65 s, just over two
    /// watchdog intervals, so one unanswered DWR is tolerated (RFC 3539 §3.4.1). Must exceed WatchdogInterval.
    /// </summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(65);

    /// <summary>
    /// Time a new connection has to complete its CER, counted from the accept. Default 5 s: an MME sends CER as soon as
    /// TCP is up, so even a slow link needs well under a second; the timeout only decides how long a silent socket
    /// holds a pending slot (<see cref="MaxPendingConnections"/>) when nobody newer pushes it out.
    /// </summary>
    public TimeSpan CerTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Once the first byte of a message has arrived, the whole message must arrive within this, else the connection is
    /// closed. Default 10 s (a 64 KiB message at 6.5 KB/s). Without it a peer trickling a byte every few seconds keeps
    /// its connection, and up to <see cref="MaxMessageSize"/> of buffer, for ever, as each byte resets the idle timeout.
    /// </summary>
    public TimeSpan FrameTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Who may connect, checked at CER: source addresses or CIDR blocks (10.20.0.0/16, 2001:db8::/32) and/or
    /// Origin-Hosts (mme1.example.net); an entry may itself be a comma-separated list. Empty (the default): everyone.
    /// A CER matching no entry gets 3010 DIAMETER_UNKNOWN_PEER and the connection is closed (RFC 6733 §5.3). An
    /// Origin-Host entry takes the peer's word for its name; list addresses to keep strangers out.
    /// </summary>
    public string[] AllowedPeers { get; set; } = [];

    /// <summary>How long to wait for DPA after sending DPR (on shutdown) before closing anyway. Default 2 s.</summary>
    public TimeSpan DisconnectTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Input bytes buffered per connection before reading from the socket pauses (the pipe's pause threshold;
    /// reading resumes at half). Default 1 MiB. Bounds memory per pipelining peer.
    /// </summary>
    public long MaxReadBufferSize { get; set; } = 1024 * 1024;

    /// <summary>Output bytes buffered per connection before answering pauses until the socket drains. Default 1 MiB.</summary>
    public long MaxWriteBufferSize { get; set; } = 1024 * 1024;

    /// <summary>
    /// How Diameter connections are served. <c>Epoll</c> (the default on Linux x86-64): event-loop threads over epoll,
    /// each reading a ready socket once and answering inline before the next, as Redis does; no thread-pool hop and
    /// no wasted read per request, and one busy peer cannot starve the others. <c>Sockets</c>: Kestrel's socket
    /// transport, tuned by the three options below (which the HTTP listeners always use). Measured side by side in
    /// perf-baselines/transport-epoll-P1.md and -P64.md.
    /// </summary>
    public DiameterTransport Transport { get; set; } = EpollTransportFactory.IsSupported ? DiameterTransport.Epoll : DiameterTransport.Sockets;

    /// <summary>
    /// Event-loop threads of the epoll transport; connections are spread over them round-robin and stay on theirs.
    /// Default 0: one per core.
    /// </summary>
    public int EventLoops { get; set; }

    /// <summary>The event loops <see cref="EventLoops"/> asks for.</summary>
    public int EffectiveEventLoops => EventLoops > 0 ? EventLoops : Environment.ProcessorCount;

    /// <summary>
    /// Sockets transport only. Run socket completions and the connection's code on the socket's I/O thread instead of
    /// handing each to the thread pool (Kestrel's <c>UnsafePreferInlineScheduling</c>; the process's HTTP sockets too).
    /// It saves a thread hop per request; the price is that a connection's handler must never block, which ours do not
    /// (one synchronous lookup per request, writes to a pipe). Off by default: it pays off only for peers that send one
    /// request at a time, and then together with the runtime's inline socket completions (environment variable
    /// DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1), which cost throughput under pipelining (perf-baselines/
    /// inline-scheduling-P1.md, inline-completions-P1.md, -P64.md).
    /// </summary>
    public bool InlineScheduling { get; set; }

    /// <summary>
    /// Sockets transport only. Before each receive, wait for data with a zero-byte read and only then take a buffer
    /// (Kestrel's <c>WaitForDataBeforeAllocatingBuffer</c>, true in Kestrel; it applies to the process's HTTP sockets
    /// too). That saves a 4 KiB buffer per idle connection and costs an extra receive per read. An EIR has a few dozen
    /// busy MME connections, not thousands of idle ones, so the default here is false (perf-baselines/wait-for-data-P64.md,
    /// -P1.md).
    /// </summary>
    public bool WaitForDataBeforeAllocatingBuffer { get; set; }

    /// <summary>
    /// Sockets transport only. Queues that hand the sockets' completions to the thread pool (Kestrel's
    /// <c>IOQueueCount</c>; the process's HTTP sockets too). Default 0: every completion goes to the thread pool
    /// directly, which measured better here than Kestrel's own choice of one queue per core (perf-baselines/
    /// ioqueue-0-P64.md, -P1.md, ioqueue-1-P64.md). -1 keeps Kestrel's choice.
    /// </summary>
    public int IOQueueCount { get; set; }

    /// <summary>One <c>"Diameter:Key: problem"</c> line per problem; none when valid.</summary>
    public IEnumerable<string> Validate()
    {
        if (!System.Net.IPAddress.TryParse(Host, out _))
            yield return $"{Section}:Host: '{Host}' is not an IP address";
        if (Port is < 0 or > 65535)
            yield return $"{Section}:Port: {Port} is not a port number (0-65535)";
        if (!IsDiameterIdentity(OriginHost))
            yield return $"{Section}:OriginHost: '{OriginHost}' is not a DiameterIdentity (a host name such as eir.example.net)";
        if (!IsDiameterIdentity(OriginRealm))
            yield return $"{Section}:OriginRealm: '{OriginRealm}' is not a realm (a domain name such as example.net)";
        if (MaxMessageSize is < 1024 or > 16 * 1024 * 1024 || MaxMessageSize % 4 != 0)
            yield return $"{Section}:MaxMessageSize: {MaxMessageSize} must be a multiple of 4 between 1024 and 16777216 bytes";
        if (MaxConnections < 1)
            yield return $"{Section}:MaxConnections: {MaxConnections} must be at least 1";
        if (MaxPendingConnections < 1)
            yield return $"{Section}:MaxPendingConnections: {MaxPendingConnections} must be at least 1";
        if (FrameTimeout <= TimeSpan.Zero)
            yield return $"{Section}:FrameTimeout: {FrameTimeout} must be positive";
        if (!AllowedPeer.TryParseAll(AllowedPeers, out _, out string badPeer))
            yield return $"{Section}:AllowedPeers: '{badPeer}' is neither an IP address, a CIDR block (10.0.0.0/8) nor a DiameterIdentity";
        if (WatchdogInterval < TimeSpan.FromMilliseconds(100))
            yield return $"{Section}:WatchdogInterval: {WatchdogInterval} must be at least 00:00:00.1";
        if (IdleTimeout <= WatchdogInterval)
            yield return $"{Section}:IdleTimeout: {IdleTimeout} must be longer than Diameter:WatchdogInterval ({WatchdogInterval})";
        if (CerTimeout <= TimeSpan.Zero)
            yield return $"{Section}:CerTimeout: {CerTimeout} must be positive";
        if (DisconnectTimeout <= TimeSpan.Zero)
            yield return $"{Section}:DisconnectTimeout: {DisconnectTimeout} must be positive";
        if (MaxReadBufferSize < 2L * MaxMessageSize)
            yield return $"{Section}:MaxReadBufferSize: {MaxReadBufferSize} must hold at least two messages (2 x Diameter:MaxMessageSize = {2L * MaxMessageSize})";
        if (MaxWriteBufferSize < MaxMessageSize)
            yield return $"{Section}:MaxWriteBufferSize: {MaxWriteBufferSize} must be at least Diameter:MaxMessageSize ({MaxMessageSize})";
        if (Transport == DiameterTransport.Epoll && !EpollTransportFactory.IsSupported)
            yield return $"{Section}:Transport: Epoll needs Linux on x86-64; use Sockets here";
        if (!Enum.IsDefined(Transport))
            yield return $"{Section}:Transport: '{Transport}' must be Epoll or Sockets";
        if (EventLoops is < 0 or > 64)
            yield return $"{Section}:EventLoops: {EventLoops} must be 0 (one per core) or 1 to 64";
        if (IOQueueCount is < -1 or > 64)
            yield return $"{Section}:IOQueueCount: {IOQueueCount} must be -1 (Kestrel's default), 0 (none) or up to 64";
    }

    // RFC 6733 §4.3.1: one check for our identity and every peer's (ImeiEir.Diameter.DiameterIdentity).
    internal static bool IsDiameterIdentity(string value) => ImeiEir.Diameter.DiameterIdentity.IsValid(value);
}
