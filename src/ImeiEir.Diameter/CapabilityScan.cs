namespace ImeiEir.Diameter;

/// <summary>
/// One pass over the AVPs of a CER or CEA (RFC 6733 §5.3) collecting what either side needs.
/// <code>
/// Auth-Application-Id 258 = 16777252 | 0xFFFFFFFF          ─┐
/// Acct-Application-Id 259 = 0xFFFFFFFF                      ├─► SupportsS13
/// Vendor-Specific-Application-Id 260 { Vendor-Id, Auth-Application-Id 258 = 16777252 } ─┘
/// </code>
/// </summary>
internal ref struct CapabilityScan
{
    public ReadOnlySpan<byte> OriginHost;
    public ReadOnlySpan<byte> OriginRealm;
    public ReadOnlySpan<byte> ProductName;
    public ReadOnlySpan<byte> FailedAvp;
    public bool HasOriginHost;
    public bool HasOriginRealm;
    public bool HasResultCode;
    public bool SupportsS13;
    public uint ResultCode;
    public uint OriginStateId;

    /// <summary>Offsets in the message and lengths of the Origin-Host and Origin-Realm AVPs, for a Failed-AVP.</summary>
    public int OriginHostOffset, OriginHostLength, OriginRealmOffset, OriginRealmLength;

    /// <summary>
    /// Set before scanning a CER a server answers: an AVP with the M bit outside the CER grammar is refused with
    /// 5001 (RFC 6733 §4.1: "the message MUST be rejected"). A client reading a CEA stays lenient.
    /// </summary>
    public bool RejectUnknownMandatory;

    public bool TryScan(ReadOnlySpan<byte> body, out ProtocolError error)
    {
        var reader = new AvpReader(body);
        while (true)
        {
            int position = reader.Position;
            AvpReadStatus status = reader.Read(out Avp avp);
            if (status == AvpReadStatus.End)
            {
                error = default;
                return true;
            }

            if (status == AvpReadStatus.InvalidLength)
            {
                error = RequestCheck.InvalidLength(body, position, DiameterHeader.Size, parentOffset: -1);
                return false;
            }

            int offset = DiameterHeader.Size + avp.Offset;
            if (RejectUnknownMandatory && avp.IsMandatory && (avp.IsVendorSpecific || !IsCerAvp(avp.Code)))
            {
                error = ProtocolError.Copy(ResultCodes.AvpUnsupported, -1, offset, avp.Length, avp.Code);
                return false;
            }

            if (avp.IsVendorSpecific)
            {
                continue;
            }

            switch (avp.Code)
            {
                case AvpCodes.OriginHost:
                    if (HasOriginHost)
                    {
                        error = ProtocolError.Copy(ResultCodes.AvpOccursTooManyTimes, -1, offset, avp.Length, avp.Code);
                        return false;
                    }

                    HasOriginHost = true;
                    OriginHost = avp.Data;
                    OriginHostOffset = offset;
                    OriginHostLength = avp.Length;
                    break;

                case AvpCodes.OriginRealm:
                    if (HasOriginRealm)
                    {
                        error = ProtocolError.Copy(ResultCodes.AvpOccursTooManyTimes, -1, offset, avp.Length, avp.Code);
                        return false;
                    }

                    HasOriginRealm = true;
                    OriginRealm = avp.Data;
                    OriginRealmOffset = offset;
                    OriginRealmLength = avp.Length;
                    break;

                case AvpCodes.ResultCode:
                    HasResultCode = avp.TryGetUInt32(out ResultCode);
                    break;

                case AvpCodes.OriginStateId:
                    avp.TryGetUInt32(out OriginStateId);
                    break;

                case AvpCodes.ProductName:
                    ProductName = avp.Data;
                    break;

                case AvpCodes.FailedAvp:
                    FailedAvp = avp.Data;
                    break;

                case AvpCodes.AuthApplicationId:
                case AvpCodes.AcctApplicationId:
                    SupportsS13 |= IsS13(avp);
                    break;

                case AvpCodes.VendorSpecificApplicationId:
                    var children = new AvpReader(avp.Data);
                    while (children.Read(out Avp child) == AvpReadStatus.Ok)
                    {
                        if (!child.IsVendorSpecific && (child.Code == AvpCodes.AuthApplicationId || child.Code == AvpCodes.AcctApplicationId))
                        {
                            SupportsS13 |= IsS13(child);
                        }
                    }

                    break;
            }
        }
    }

    // RFC 6733 §5.3.1: the AVPs a CER names; anything else rides on its *[AVP] and is fatal only with the M bit.
    private static bool IsCerAvp(uint code) => code is AvpCodes.OriginHost or AvpCodes.OriginRealm or AvpCodes.HostIpAddress
        or AvpCodes.VendorId or AvpCodes.ProductName or AvpCodes.OriginStateId or AvpCodes.SupportedVendorId
        or AvpCodes.AuthApplicationId or AvpCodes.InbandSecurityId or AvpCodes.AcctApplicationId
        or AvpCodes.VendorSpecificApplicationId or AvpCodes.FirmwareRevision;

    // S13 is an auth application; Relay (RFC 6733 §2.4) may be advertised either way and covers every application.
    private static bool IsS13(in Avp avp) =>
        avp.TryGetUInt32(out uint application)
        && (application == ApplicationIds.Relay || (application == ApplicationIds.S13 && avp.Code == AvpCodes.AuthApplicationId));
}
