namespace ImeiEir.Diameter;

/// <summary>
/// AVP codes used by the base protocol (RFC 6733 §4.5) and S13 (TS 29.272 §7.3.1).
/// IETF codes travel without a Vendor-Id; the S13 codes (1401 and up) need V + vendor 10415.
/// </summary>
public static class AvpCodes
{
    // RFC 6733 §4.5 base AVPs (vendor 0).

    /// <summary>User-Name, UTF8String (RFC 6733 §8.14); in S13 the IMSI (TS 29.272 §7.3.1).</summary>
    public const uint UserName = 1;

    /// <summary>Proxy-State, OctetString inside Proxy-Info (RFC 6733 §6.7.4).</summary>
    public const uint ProxyState = 33;

    /// <summary>Host-IP-Address, Address (RFC 6733 §5.3.5).</summary>
    public const uint HostIpAddress = 257;

    /// <summary>Auth-Application-Id, Unsigned32 (RFC 6733 §6.8).</summary>
    public const uint AuthApplicationId = 258;

    /// <summary>Acct-Application-Id, Unsigned32 (RFC 6733 §6.9).</summary>
    public const uint AcctApplicationId = 259;

    /// <summary>Vendor-Specific-Application-Id, Grouped (RFC 6733 §6.11).</summary>
    public const uint VendorSpecificApplicationId = 260;

    /// <summary>Session-Id, UTF8String (RFC 6733 §8.8).</summary>
    public const uint SessionId = 263;

    /// <summary>Origin-Host, DiameterIdentity (RFC 6733 §6.3).</summary>
    public const uint OriginHost = 264;

    /// <summary>Supported-Vendor-Id, Unsigned32 (RFC 6733 §5.3.6).</summary>
    public const uint SupportedVendorId = 265;

    /// <summary>Vendor-Id, Unsigned32 (RFC 6733 §5.3.3).</summary>
    public const uint VendorId = 266;

    /// <summary>Firmware-Revision, Unsigned32, never M (RFC 6733 §5.3.4).</summary>
    public const uint FirmwareRevision = 267;

    /// <summary>Result-Code, Unsigned32 (RFC 6733 §7.1).</summary>
    public const uint ResultCode = 268;

    /// <summary>Product-Name, UTF8String, never M (RFC 6733 §5.3.7).</summary>
    public const uint ProductName = 269;

    /// <summary>Disconnect-Cause, Enumerated (RFC 6733 §5.4.3).</summary>
    public const uint DisconnectCause = 273;

    /// <summary>Auth-Session-State, Enumerated: 0 STATE_MAINTAINED, 1 NO_STATE_MAINTAINED (RFC 6733 §8.11).</summary>
    public const uint AuthSessionState = 277;

    /// <summary>Origin-State-Id, Unsigned32 (RFC 6733 §8.16).</summary>
    public const uint OriginStateId = 278;

    /// <summary>Failed-AVP, Grouped (RFC 6733 §7.5).</summary>
    public const uint FailedAvp = 279;

    /// <summary>Proxy-Host, DiameterIdentity inside Proxy-Info (RFC 6733 §6.7.3).</summary>
    public const uint ProxyHost = 280;

    /// <summary>Error-Message, UTF8String, never M (RFC 6733 §7.3).</summary>
    public const uint ErrorMessage = 281;

    /// <summary>Route-Record, DiameterIdentity (RFC 6733 §6.7.1).</summary>
    public const uint RouteRecord = 282;

    /// <summary>Destination-Realm, DiameterIdentity (RFC 6733 §6.6).</summary>
    public const uint DestinationRealm = 283;

    /// <summary>Proxy-Info, Grouped {Proxy-Host, Proxy-State} (RFC 6733 §6.7.2); echoed in answers.</summary>
    public const uint ProxyInfo = 284;

    /// <summary>Destination-Host, DiameterIdentity (RFC 6733 §6.5).</summary>
    public const uint DestinationHost = 293;

    /// <summary>Error-Reporting-Host, DiameterIdentity (RFC 6733 §7.4).</summary>
    public const uint ErrorReportingHost = 294;

    /// <summary>Origin-Realm, DiameterIdentity (RFC 6733 §6.4).</summary>
    public const uint OriginRealm = 296;

    /// <summary>Experimental-Result, Grouped {Vendor-Id, Experimental-Result-Code} (RFC 6733 §7.6).</summary>
    public const uint ExperimentalResult = 297;

    /// <summary>Experimental-Result-Code, Unsigned32 (RFC 6733 §7.7).</summary>
    public const uint ExperimentalResultCode = 298;

    /// <summary>Inband-Security-Id, Unsigned32 (RFC 6733 §6.10).</summary>
    public const uint InbandSecurityId = 299;

    /// <summary>DRMP, Enumerated: Diameter routing message priority (RFC 7944 §9.1).</summary>
    public const uint Drmp = 301;

    // TS 29.272 §7.3.1 S13 AVPs (V + M, vendor 10415).

    /// <summary>Terminal-Information, Grouped {[IMEI] [3GPP2-MEID] [Software-Version]} (TS 29.272 §7.3.3).</summary>
    public const uint TerminalInformation = 1401;

    /// <summary>IMEI, UTF8String: 14 or 15 digits (TS 29.272 §7.3.4).</summary>
    public const uint Imei = 1402;

    /// <summary>Software-Version, UTF8String: 2 digits (TS 29.272 §7.3.5).</summary>
    public const uint SoftwareVersion = 1403;

    /// <summary>Equipment-Status, Enumerated: 0 WHITELISTED, 1 BLACKLISTED, 2 GREYLISTED (TS 29.272 §7.3.51).</summary>
    public const uint EquipmentStatus = 1445;

    /// <summary>3GPP2-MEID, OctetString (TS 29.272 §7.3.6); accepted, not used.</summary>
    public const uint Meid3Gpp2 = 1471;
}
