namespace ImeiEir.Diameter;

/// <summary>
/// AVP flags (RFC 6733 §4.1).
/// <code>
///  0 1 2 3 4 5 6 7
/// +-+-+-+-+-+-+-+-+
/// |V M P r r r r r|   r = reserved: sent as 0, ignored on receipt
/// +-+-+-+-+-+-+-+-+
/// </code>
/// </summary>
public static class AvpFlags
{
    /// <summary>V: a 4-byte Vendor-Id follows the length, making the AVP header 12 bytes.</summary>
    public const byte Vendor = 0x80;

    /// <summary>M: the receiver must understand the AVP or reject the message with 5001 (RFC 6733 §4.1).</summary>
    public const byte Mandatory = 0x40;

    /// <summary>P: end-to-end protection (deprecated in RFC 6733); never set by this library.</summary>
    public const byte Protected = 0x20;

    /// <summary>V and M together: the flags of every 3GPP S13 AVP (TS 29.272 §7.3.1).</summary>
    public const byte VendorMandatory = Vendor | Mandatory;
}
