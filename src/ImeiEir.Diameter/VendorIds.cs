namespace ImeiEir.Diameter;

/// <summary>IANA SMI private enterprise numbers used as AVP Vendor-Id (RFC 6733 §4.1).</summary>
public static class VendorIds
{
    /// <summary>IETF AVPs carry no Vendor-Id (V bit clear).</summary>
    public const uint Ietf = 0;

    /// <summary>3GPP, owner of the S13 AVPs and of Experimental-Result-Code 5422.</summary>
    public const uint ThreeGpp = 10415;
}
