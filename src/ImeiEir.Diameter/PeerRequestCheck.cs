namespace ImeiEir.Diameter;

/// <summary>
/// Validates the small base-protocol requests a peer sends on an open connection, DWR and DPR (RFC 6733 §5.5.1,
/// §5.4.1), as strictly as an ECR: header bits (3008), AVP lengths (5014), an unknown AVP with the M bit (5001),
/// Origin-Host and Origin-Realm present (5005), once (5009) and DiameterIdentities (5004), and the one AVP each adds.
/// <code>
/// DWR ::= &lt; Diameter Header: 280, REQ &gt; { Origin-Host } { Origin-Realm } [ Origin-State-Id ]   * [ AVP ]
/// DPR ::= &lt; Diameter Header: 282, REQ &gt; { Origin-Host } { Origin-Realm } { Disconnect-Cause } * [ AVP ]
/// </code>
/// </summary>
internal static class PeerRequestCheck
{
    /// <param name="message">The whole request frame.</param>
    /// <param name="commandCode">280 or 282.</param>
    /// <param name="extraCode">Origin-State-Id or Disconnect-Cause: a 4-byte Unsigned32 or Enumerated.</param>
    /// <param name="extraRequired">True when <paramref name="extraCode"/> is { required } rather than [ optional ].</param>
    /// <param name="extraValue">Its value; 0 when absent.</param>
    /// <param name="error">What to answer when false.</param>
    public static bool TryCheck(ReadOnlySpan<byte> message, uint commandCode, uint extraCode, bool extraRequired,
        out uint extraValue, out ProtocolError error)
    {
        extraValue = 0;
        if (!RequestCheck.TryCheck(message, commandCode, ApplicationIds.Common, out _, out ReadOnlySpan<byte> body, out error))
        {
            return false;
        }

        bool hasHost = false, hasRealm = false, hasExtra = false;
        var reader = new AvpReader(body);
        while (true)
        {
            int position = reader.Position;
            AvpReadStatus status = reader.Read(out Avp avp);
            if (status == AvpReadStatus.End)
            {
                break;
            }

            if (status == AvpReadStatus.InvalidLength)
            {
                error = RequestCheck.InvalidLength(body, position, DiameterHeader.Size, parentOffset: -1);
                return false;
            }

            int offset = DiameterHeader.Size + avp.Offset;
            ref bool seen = ref hasHost;
            if (avp.Is(AvpCodes.OriginHost, VendorIds.Ietf))
            {
                seen = ref hasHost;
            }
            else if (avp.Is(AvpCodes.OriginRealm, VendorIds.Ietf))
            {
                seen = ref hasRealm;
            }
            else if (avp.Is(extraCode, VendorIds.Ietf))
            {
                seen = ref hasExtra;
            }
            else
            {
                // RFC 6733 §4.1: *[AVP] admits anything without the M bit; with it, the message is rejected.
                if (avp.IsMandatory)
                {
                    error = ProtocolError.Copy(ResultCodes.AvpUnsupported, -1, offset, avp.Length, avp.Code);
                    return false;
                }

                continue;
            }

            if (seen)
            {
                error = ProtocolError.Copy(ResultCodes.AvpOccursTooManyTimes, -1, offset, avp.Length, avp.Code);
                return false;
            }

            seen = true;
            if (avp.Code == extraCode)
            {
                if (!avp.TryGetUInt32(out extraValue))
                {
                    error = ProtocolError.Copy(ResultCodes.InvalidAvpLength, -1, offset, avp.Length, avp.Code);
                    return false;
                }
            }
            else if (!DiameterIdentity.IsValid(avp.Data))
            {
                error = ProtocolError.Copy(ResultCodes.InvalidAvpValue, -1, offset, avp.Length, avp.Code);
                return false;
            }
        }

        error = !hasHost ? ProtocolError.Missing(-1, AvpCodes.OriginHost, AvpFlags.Mandatory, 0, 0)
            : !hasRealm ? ProtocolError.Missing(-1, AvpCodes.OriginRealm, AvpFlags.Mandatory, 0, 0)
            : extraRequired && !hasExtra ? ProtocolError.Missing(-1, extraCode, AvpFlags.Mandatory, 0, 4)
            : default;
        return error.ResultCode == 0;
    }
}
