namespace ImeiEir.Diameter;

/// <summary>
/// A parsed ME-Identity-Check-Answer (TS 29.272 §7.2.16), for clients (eirctl, load generator, tests).
/// Spans are borrowed from the message.
/// <code>
/// ECA ::= &lt; Session-Id &gt; [ VSAI ] [ Result-Code ] [ Experimental-Result { Vendor-Id, Experimental-Result-Code } ]
///         { Auth-Session-State } { Origin-Host } { Origin-Realm } [ Equipment-Status ] [ Failed-AVP ] *[ Proxy-Info ]
/// </code>
/// </summary>
public ref struct EcaView
{
    /// <summary>The answer header.</summary>
    public DiameterHeader Header { get; internal set; }

    /// <summary>Session-Id data.</summary>
    public ReadOnlySpan<byte> SessionId { get; internal set; }

    /// <summary>Result-Code; 0 when absent.</summary>
    public uint ResultCode { get; internal set; }

    /// <summary>Experimental-Result-Code inside Experimental-Result; 0 when absent.</summary>
    public uint ExperimentalResultCode { get; internal set; }

    /// <summary>Equipment-Status (0 white, 1 black, 2 grey); -1 when absent.</summary>
    public int EquipmentStatus { get; internal set; }

    /// <summary>True when Auth-Session-State is present.</summary>
    public bool HasAuthSessionState { get; internal set; }

    /// <summary>Origin-Host data.</summary>
    public ReadOnlySpan<byte> OriginHost { get; internal set; }

    /// <summary>Origin-Realm data.</summary>
    public ReadOnlySpan<byte> OriginRealm { get; internal set; }

    /// <summary>The data of Failed-AVP (its children, padded); empty when absent.</summary>
    public ReadOnlySpan<byte> FailedAvp { get; internal set; }

    /// <summary>Number of top-level Proxy-Info AVPs.</summary>
    public int ProxyInfoCount { get; internal set; }
}
