namespace ImeiEir.Diameter;

/// <summary>
/// A parsed Capabilities-Exchange-Request (RFC 6733 §5.3.1), borrowed from the message.
/// <code>
/// CER ::= &lt; Diameter Header: 257, REQ &gt;
///         { Origin-Host } { Origin-Realm } 1* { Host-IP-Address } { Vendor-Id } { Product-Name }
///         [ Origin-State-Id ] * [ Supported-Vendor-Id ] * [ Auth-Application-Id ] * [ Inband-Security-Id ]
///         * [ Acct-Application-Id ] * [ Vendor-Specific-Application-Id ] [ Firmware-Revision ] * [ AVP ]
/// </code>
/// </summary>
public ref struct CerView
{
    /// <summary>The request header.</summary>
    public DiameterHeader Header { get; internal set; }

    /// <summary>Origin-Host data: the peer's DiameterIdentity.</summary>
    public ReadOnlySpan<byte> OriginHost { get; internal set; }

    /// <summary>Origin-Realm data.</summary>
    public ReadOnlySpan<byte> OriginRealm { get; internal set; }

    /// <summary>
    /// True when the peer advertises S13 (16777252) as a top-level Auth-Application-Id or inside any
    /// Vendor-Specific-Application-Id, or advertises Relay 0xFFFFFFFF (RFC 6733 §2.4).
    /// </summary>
    public bool SupportsS13 { get; internal set; }

    /// <summary>Origin-State-Id; 0 when absent.</summary>
    public uint OriginStateId { get; internal set; }

    /// <summary>Product-Name data; empty when absent.</summary>
    public ReadOnlySpan<byte> ProductName { get; internal set; }
}
