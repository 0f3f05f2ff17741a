namespace ImeiEir.Diameter;

/// <summary>
/// Command flags of the Diameter header (RFC 6733 §3).
/// <code>
///  0 1 2 3 4 5 6 7
/// +-+-+-+-+-+-+-+-+
/// |R P E T r r r r|   r = reserved, MUST be 0 (3008 INVALID_HDR_BITS otherwise)
/// +-+-+-+-+-+-+-+-+
/// </code>
/// </summary>
public static class DiameterFlags
{
    /// <summary>R: the message is a request; cleared on the answer.</summary>
    public const byte Request = 0x80;

    /// <summary>P: the message may be proxied; an answer copies it from the request (RFC 6733 §6.2).</summary>
    public const byte Proxiable = 0x40;

    /// <summary>E: the answer carries a protocol error (3xxx, RFC 6733 §7.1.3); never set on a request.</summary>
    public const byte Error = 0x20;

    /// <summary>T: potentially retransmitted request after a link failover (RFC 6733 §3).</summary>
    public const byte Retransmit = 0x10;

    /// <summary>The four low bits, reserved; a request with any of them set is answered 3008.</summary>
    public const byte Reserved = 0x0F;
}
