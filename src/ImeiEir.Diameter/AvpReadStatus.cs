namespace ImeiEir.Diameter;

/// <summary>Outcome of <see cref="AvpReader.Read(out Avp)"/>.</summary>
public enum AvpReadStatus
{
    /// <summary>An AVP was read.</summary>
    Ok,

    /// <summary>No bytes left.</summary>
    End,

    /// <summary>
    /// The AVP Length is under the header size (8, or 12 with the V bit), the AVP runs past the span, or fewer than
    /// 8 bytes remain: 5014 INVALID_AVP_LENGTH (RFC 6733 §7.1.5). The reader stays on the bad AVP.
    /// </summary>
    InvalidLength,
}
