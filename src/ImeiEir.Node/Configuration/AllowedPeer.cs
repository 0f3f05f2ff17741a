using System.Net;
using System.Text;

namespace ImeiEir.Node.Configuration;

/// <summary>
/// One entry of <see cref="DiameterOptions.AllowedPeers"/>: a source network (an address, or a CIDR block such as
/// 10.20.0.0/16) or an Origin-Host (a DiameterIdentity, compared without regard to case as DNS names are).
/// </summary>
public sealed class AllowedPeer
{
    private AllowedPeer(IPNetwork? network, byte[]? originHost)
    {
        Network = network;
        OriginHost = originHost;
    }

    /// <summary>The source network, or null for an Origin-Host entry.</summary>
    public IPNetwork? Network { get; }

    /// <summary>The Origin-Host in ASCII, or null for a network entry.</summary>
    public byte[]? OriginHost { get; }

    /// <summary>
    /// Parses every entry of <paramref name="entries"/>, each of which may itself be a comma-separated list (so one
    /// environment variable can carry several); false with the offending entry in <paramref name="bad"/>.
    /// </summary>
    public static bool TryParseAll(IEnumerable<string>? entries, out List<AllowedPeer> peers, out string bad)
    {
        peers = [];
        bad = "";
        foreach (string entry in entries ?? [])
        {
            foreach (string part in entry.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!TryParse(part, out AllowedPeer? peer))
                {
                    bad = part;
                    return false;
                }
                peers.Add(peer);
            }
        }
        return true;
    }

    private static bool TryParse(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out AllowedPeer? peer)
    {
        peer = null;
        if (IPAddress.TryParse(text, out IPAddress? address))
        {
            address = Canonical(address);
            peer = new AllowedPeer(new IPNetwork(address, address.GetAddressBytes().Length * 8), null);
            return true;
        }
        if (text.Contains('/', StringComparison.Ordinal))
        {
            // A block with bits set past its prefix (10.1.2.3/8) is a typo better reported than guessed at.
            if (!IPNetwork.TryParse(text, out IPNetwork network)
                || !IPAddress.TryParse(text.AsSpan(0, text.IndexOf('/', StringComparison.Ordinal)), out IPAddress? written)
                || !written.Equals(network.BaseAddress))
                return false;
            peer = new AllowedPeer(network, null);
            return true;
        }
        if (!DiameterOptions.IsDiameterIdentity(text))
            return false;
        peer = new AllowedPeer(null, Encoding.ASCII.GetBytes(text));
        return true;
    }

    /// <summary>An IPv4 peer reaching a dual-stack socket appears as ::ffff:a.b.c.d; entries are written as a.b.c.d.</summary>
    internal static IPAddress Canonical(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    public override string ToString() => Network?.ToString() ?? Encoding.ASCII.GetString(OriginHost!);
}
