namespace ImeiEir.Node.Configuration;

/// <summary>The node's HTTP endpoint: health, metrics, lookups (configuration section <c>Http</c>).</summary>
public sealed class HttpOptions
{
    public const string Section = "Http";

    /// <summary>Address to listen on. Default 127.0.0.1.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>TCP port. Default 8080; 0 picks a free port, announced on stdout.</summary>
    public int Port { get; set; } = 8080;

    /// <summary>
    /// Check-before-purchase requests (<c>GET /v1/imei/...</c>) one client address may make per
    /// <see cref="LookupRateWindow"/>; more are answered 429 with Retry-After. Default 60. N5g-eir is not limited:
    /// it is the core network's, and a limit there would refuse attaches.
    /// </summary>
    public int LookupRateLimit { get; set; } = 60;

    /// <summary>The window of <see cref="LookupRateLimit"/>. Default 00:01:00.</summary>
    public TimeSpan LookupRateWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How stale the records-per-list gauges may be: a scrape older than this starts a count (a scan of the store,
    /// in the background). Default 00:01:00; 0 counts on every scrape (tests).
    /// </summary>
    public TimeSpan ListCountInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>One <c>"Http:Key: problem"</c> line per problem; none when valid.</summary>
    public IEnumerable<string> Validate()
    {
        if (LookupRateLimit < 1)
            yield return $"{Section}:LookupRateLimit: must be at least 1, got {LookupRateLimit}";
        if (LookupRateWindow <= TimeSpan.Zero)
            yield return $"{Section}:LookupRateWindow: must be positive, got {LookupRateWindow}";
        if (ListCountInterval < TimeSpan.Zero)
            yield return $"{Section}:ListCountInterval: must not be negative, got {ListCountInterval}";
        if (!System.Net.IPAddress.TryParse(Host, out _))
            yield return $"{Section}:Host: '{Host}' is not an IP address";
        if (Port is < 0 or > 65535)
            yield return $"{Section}:Port: {Port} is not a port number (0-65535)";
    }
}
