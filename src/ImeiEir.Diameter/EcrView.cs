namespace ImeiEir.Diameter;

/// <summary>
/// A parsed ME-Identity-Check-Request (TS 29.272 §7.2.15): spans borrowed from the message, valid until the
/// buffer is released (docs/ARCHITECTURE.md, convention 4). Turn the IMEI into the packed key at once.
/// <code>
/// ECR ::= &lt; Diameter Header: 324, REQ, PXY, 16777252 &gt;
///         &lt; Session-Id &gt; [ DRMP ] [ Vendor-Specific-Application-Id ]
///         { Auth-Session-State } { Origin-Host } { Origin-Realm }
///         [ Destination-Host ] { Destination-Realm }
///         { Terminal-Information }  ──► { [IMEI] [3GPP2-MEID] [Software-Version] }
///         [ User-Name ] *[ AVP ] *[ Proxy-Info ] *[ Route-Record ]
/// </code>
/// </summary>
public ref struct EcrView
{
    /// <summary>The request header (ids and P bit are copied into the answer).</summary>
    public DiameterHeader Header { get; internal set; }

    /// <summary>Session-Id data.</summary>
    public ReadOnlySpan<byte> SessionId { get; internal set; }

    /// <summary>Auth-Session-State: 0 STATE_MAINTAINED or 1 NO_STATE_MAINTAINED.</summary>
    public uint AuthSessionState { get; internal set; }

    /// <summary>Origin-Host data (the MME / SGSN).</summary>
    public ReadOnlySpan<byte> OriginHost { get; internal set; }

    /// <summary>Origin-Realm data.</summary>
    public ReadOnlySpan<byte> OriginRealm { get; internal set; }

    /// <summary>Destination-Host data; empty when absent.</summary>
    public ReadOnlySpan<byte> DestinationHost { get; internal set; }

    /// <summary>Destination-Realm data.</summary>
    public ReadOnlySpan<byte> DestinationRealm { get; internal set; }

    /// <summary>IMEI AVP data inside Terminal-Information, as received (digits not validated here).</summary>
    public ReadOnlySpan<byte> Imei { get; internal set; }

    /// <summary>Software-Version data; empty when absent.</summary>
    public ReadOnlySpan<byte> SoftwareVersion { get; internal set; }

    /// <summary>User-Name data: the IMSI, 5 to 15 ASCII digits; empty when absent.</summary>
    public ReadOnlySpan<byte> UserName { get; internal set; }

    /// <summary>True when User-Name was present.</summary>
    public bool HasUserName { get; internal set; }

    /// <summary>Offset in the message of the Terminal-Information AVP (for Failed-AVP).</summary>
    internal int TerminalInformationOffset { get; set; }

    /// <summary>Offset in the message of the IMEI AVP.</summary>
    internal int ImeiOffset { get; set; }

    /// <summary>AVP Length of the IMEI AVP.</summary>
    internal int ImeiAvpLength { get; set; }

    /// <summary>Offset in the message body (after the header) of the first Proxy-Info; -1 when none.</summary>
    internal int FirstProxyInfo { get; set; }
}
