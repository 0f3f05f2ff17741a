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

            if (avp.IsVendorSpecific)
            {
                continue;
            }

            int offset = DiameterHeader.Size + avp.Offset;
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
                    break;

                case AvpCodes.OriginRealm:
                    if (HasOriginRealm)
                    {
                        error = ProtocolError.Copy(ResultCodes.AvpOccursTooManyTimes, -1, offset, avp.Length, avp.Code);
                        return false;
                    }

                    HasOriginRealm = true;
                    OriginRealm = avp.Data;
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

    // S13 is an auth application; Relay (RFC 6733 §2.4) may be advertised either way and covers every application.
    private static bool IsS13(in Avp avp) =>
        avp.TryGetUInt32(out uint application)
        && (application == ApplicationIds.Relay || (application == ApplicationIds.S13 && avp.Code == AvpCodes.AuthApplicationId));
}
