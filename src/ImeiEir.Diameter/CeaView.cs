namespace ImeiEir.Diameter;

/// <summary>
/// A parsed Capabilities-Exchange-Answer (RFC 6733 §5.3.2), for the client side. Borrowed from the message.
/// <code>
/// CEA ::= &lt; Diameter Header: 257 &gt; { Result-Code } { Origin-Host } { Origin-Realm } 1* { Host-IP-Address }
///         { Vendor-Id } { Product-Name } [ Origin-State-Id ] [ Error-Message ] [ Failed-AVP ]
///         * [ Supported-Vendor-Id ] * [ Auth-Application-Id ] * [ Inband-Security-Id ] * [ Acct-Application-Id ]
///         * [ Vendor-Specific-Application-Id ] [ Firmware-Revision ] * [ AVP ]
/// </code>
/// </summary>
public ref struct CeaView
{
    /// <summary>The answer header.</summary>
    public DiameterHeader Header { get; internal set; }

    /// <summary>Result-Code.</summary>
    public uint ResultCode { get; internal set; }

    /// <summary>Origin-Host data.</summary>
    public ReadOnlySpan<byte> OriginHost { get; internal set; }

    /// <summary>Origin-Realm data.</summary>
    public ReadOnlySpan<byte> OriginRealm { get; internal set; }

    /// <summary>True when the peer advertises S13 (or Relay), as in <see cref="CerView.SupportsS13"/>.</summary>
    public bool SupportsS13 { get; internal set; }

    /// <summary>Origin-State-Id; 0 when absent.</summary>
    public uint OriginStateId { get; internal set; }

    /// <summary>The data of Failed-AVP; empty when absent.</summary>
    public ReadOnlySpan<byte> FailedAvp { get; internal set; }
}
