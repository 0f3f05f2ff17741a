using System.Net;
using ImeiEir.Node.Diameter;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace ImeiEir.Server.Composition;

/// <summary>The bound endpoints; ports chosen by the OS (port 0) are known once the server has started.</summary>
internal sealed class ListenEndpoints
{
    public ListenOptions? Diameter { get; set; }

    public ListenOptions? Http { get; set; }

    public ListenOptions? Registry { get; set; }

    /// <summary>N5g-eir over HTTP/2 (h2c, or h2 and HTTP/1.1 over TLS).</summary>
    public ListenOptions? Sbi { get; set; }

    public IPEndPoint? DiameterEndPoint => DiameterListener.BoundEndPoint(Diameter);

    public IPEndPoint? HttpEndPoint => Http?.IPEndPoint;

    public IPEndPoint? RegistryEndPoint => Registry?.IPEndPoint;

    public IPEndPoint? SbiEndPoint => Sbi?.IPEndPoint;

    /// <summary>A line naming every bound endpoint of this process, after <paramref name="prefix"/>.</summary>
    public string EndpointsLine(string prefix)
    {
        var parts = new List<string>();
        if (DiameterEndPoint is { } d) parts.Add($"diameter={d}");
        if (HttpEndPoint is { } h) parts.Add($"http={h}");
        if (RegistryEndPoint is { } r) parts.Add($"registry={r}");
        if (SbiEndPoint is { } s) parts.Add($"sbi={s}");
        return prefix + " " + string.Join(' ', parts);
    }
}
