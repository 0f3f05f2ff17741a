namespace ImeiEir.Server.Hosting;

/// <summary>The node's HTTP endpoint: health, metrics, lookups (configuration section <c>Http</c>).</summary>
public sealed class HttpOptions
{
    public const string Section = "Http";

    /// <summary>Address to listen on. Default 127.0.0.1.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>TCP port. Default 8080; 0 picks a free port, announced on stdout.</summary>
    public int Port { get; set; } = 8080;

    internal IEnumerable<string> Validate()
    {
        if (!System.Net.IPAddress.TryParse(Host, out _))
            yield return $"{Section}:Host: '{Host}' is not an IP address";
        if (Port is < 0 or > 65535)
            yield return $"{Section}:Port: {Port} is not a port number (0-65535)";
    }
}
