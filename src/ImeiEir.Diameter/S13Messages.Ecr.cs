namespace ImeiEir.Diameter;

/// <summary>S13 ME-Identity-Check messages (TS 29.272 §7.2.15 / §7.2.16).</summary>
public static partial class S13Messages
{
    // Offsets in the message are ≥ 20, so 0 marks "not seen yet".
    private const int NotSeen = 0;

    /// <summary>
    /// Parses and fully validates an ECR (TS 29.272 §7.2.15, RFC 6733 §7). <paramref name="message"/> is the whole
    /// frame, header included. On failure returns false and the <see cref="ProtocolError"/> to answer with
    /// (<see cref="WriteError"/>). Never throws, allocates nothing. The IMEI digits are not checked here.
    /// </summary>
    public static bool TryParseEcr(ReadOnlySpan<byte> message, out EcrView ecr, out ProtocolError error)
    {
        ecr = default;
        if (!RequestCheck.TryCheck(message, CommandCodes.MeIdentityCheck, ApplicationIds.S13,
                out DiameterHeader header, out ReadOnlySpan<byte> body, out error))
        {
            return false;
        }

        ecr.Header = header;
        ecr.FirstProxyInfo = -1;
        int sessionId = NotSeen, authState = NotSeen, originHost = NotSeen, originRealm = NotSeen, destinationHost = NotSeen,
            destinationRealm = NotSeen, terminalInformation = NotSeen, userName = NotSeen, vsai = NotSeen, drmp = NotSeen;

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
            ref int seen = ref Slot(avp, ref sessionId, ref authState, ref originHost, ref originRealm, ref destinationHost,
                ref destinationRealm, ref terminalInformation, ref userName, ref vsai, ref drmp, out bool known);

            if (!known)
            {
                if (avp.Is(AvpCodes.ProxyInfo, VendorIds.Ietf))
                {
                    if (ecr.FirstProxyInfo < 0)
                    {
                        ecr.FirstProxyInfo = avp.Offset;
                    }

                    continue;
                }

                if (avp.Is(AvpCodes.RouteRecord, VendorIds.Ietf))
                {
                    continue;
                }

                // RFC 6733 §4.1: an AVP we do not understand is fatal only with the M bit (5001); *[AVP] otherwise.
                // A known code with the wrong V bit or vendor is a different AVP, so it lands here too.
                if (avp.IsMandatory)
                {
                    error = ProtocolError.Copy(ResultCodes.AvpUnsupported, -1, offset, avp.Length, avp.Code);
                    return false;
                }

                continue;
            }

            // Every AVP of the ECR grammar outside *[...] occurs at most once (RFC 6733 §7.1.5, 5009: the Failed-AVP
            // is the first occurrence that broke the rule).
            if (seen != NotSeen)
            {
                error = ProtocolError.Copy(ResultCodes.AvpOccursTooManyTimes, -1, offset, avp.Length, avp.Code);
                return false;
            }

            seen = offset;
            if (!TryAccept(ref ecr, avp, offset, out error))
            {
                return false;
            }
        }

        // RFC 6733 §7.5 (5005): the Failed-AVP holds an example of the missing AVP, zero-filled, of minimum length.
        error = sessionId == NotSeen ? ProtocolError.Missing(-1, AvpCodes.SessionId, AvpFlags.Mandatory, 0, 0)
            : authState == NotSeen ? ProtocolError.Missing(-1, AvpCodes.AuthSessionState, AvpFlags.Mandatory, 0, 4)
            : originHost == NotSeen ? ProtocolError.Missing(-1, AvpCodes.OriginHost, AvpFlags.Mandatory, 0, 0)
            : originRealm == NotSeen ? ProtocolError.Missing(-1, AvpCodes.OriginRealm, AvpFlags.Mandatory, 0, 0)
            : destinationRealm == NotSeen ? ProtocolError.Missing(-1, AvpCodes.DestinationRealm, AvpFlags.Mandatory, 0, 0)
            : terminalInformation == NotSeen
                ? ProtocolError.Missing(-1, AvpCodes.TerminalInformation, AvpFlags.VendorMandatory, VendorIds.ThreeGpp, 0)
            : default;

        return error.ResultCode == 0;
    }

    // Maps a recognised AVP (right code, right vendor and V bit) to its "seen" slot.
    private static ref int Slot(in Avp avp, ref int sessionId, ref int authState, ref int originHost, ref int originRealm,
        ref int destinationHost, ref int destinationRealm, ref int terminalInformation, ref int userName, ref int vsai,
        ref int drmp, out bool known)
    {
        known = true;
        if (avp.Is(AvpCodes.TerminalInformation, VendorIds.ThreeGpp))
        {
            return ref terminalInformation;
        }

        if (!avp.IsVendorSpecific)
        {
            switch (avp.Code)
            {
                case AvpCodes.SessionId: return ref sessionId;
                case AvpCodes.AuthSessionState: return ref authState;
                case AvpCodes.OriginHost: return ref originHost;
                case AvpCodes.OriginRealm: return ref originRealm;
                case AvpCodes.DestinationHost: return ref destinationHost;
                case AvpCodes.DestinationRealm: return ref destinationRealm;
                case AvpCodes.UserName: return ref userName;
                case AvpCodes.VendorSpecificApplicationId: return ref vsai;
                case AvpCodes.Drmp: return ref drmp;
            }
        }

        known = false;
        return ref sessionId;
    }

    private static bool TryAccept(ref EcrView ecr, in Avp avp, int offset, out ProtocolError error)
    {
        error = default;
        switch (avp.Code)
        {
            case AvpCodes.TerminalInformation:
                return TryParseTerminalInformation(ref ecr, avp, offset, out error);

            case AvpCodes.SessionId:
                ecr.SessionId = avp.Data;
                return RequireNotEmpty(avp, offset, out error);

            case AvpCodes.AuthSessionState:
                if (!avp.TryGetUInt32(out uint state))
                {
                    // A 4-byte Enumerated with another length (RFC 6733 §4.2): 5014 with the AVP as received.
                    error = ProtocolError.Copy(ResultCodes.InvalidAvpLength, -1, offset, avp.Length, avp.Code);
                    return false;
                }

                if (state > 1)
                {
                    // RFC 6733 §8.11: 0 STATE_MAINTAINED, 1 NO_STATE_MAINTAINED; nothing else is defined.
                    error = ProtocolError.Copy(ResultCodes.InvalidAvpValue, -1, offset, avp.Length, avp.Code);
                    return false;
                }

                ecr.AuthSessionState = state;
                return true;

            case AvpCodes.OriginHost:
                ecr.OriginHost = avp.Data;
                return RequireIdentity(avp, offset, out error);

            case AvpCodes.OriginRealm:
                ecr.OriginRealm = avp.Data;
                return RequireIdentity(avp, offset, out error);

            case AvpCodes.DestinationHost:
                ecr.DestinationHost = avp.Data;
                return RequireNotEmpty(avp, offset, out error);

            case AvpCodes.DestinationRealm:
                ecr.DestinationRealm = avp.Data;
                return RequireNotEmpty(avp, offset, out error);

            case AvpCodes.UserName:
                // TS 29.272 §7.3.1 / TS 23.003 §2.2: in S13 User-Name is the IMSI, at most 15 digits; the decision
                // reads MCC + MNC from it, so anything else is refused with 5004 rather than misrouted.
                if (!IsImsi(avp.Data))
                {
                    error = ProtocolError.Copy(ResultCodes.InvalidAvpValue, -1, offset, avp.Length, avp.Code);
                    return false;
                }

                ecr.UserName = avp.Data;
                ecr.HasUserName = true;
                return true;

            default:
                // Vendor-Specific-Application-Id and DRMP: accepted as they come, only their count is checked.
                return true;
        }
    }

    /// <summary>
    /// Terminal-Information (TS 29.272 §7.3.3), its children at offset + 12 (the header has the Vendor-ID).
    /// <code>
    /// | 1401 | V M | len | 10415 | IMEI 1402 ... | 3GPP2-MEID 1471 ... | Software-Version 1403 ... |
    /// </code>
    /// </summary>
    private static bool TryParseTerminalInformation(ref EcrView ecr, in Avp terminal, int offset, out ProtocolError error)
    {
        ecr.TerminalInformationOffset = offset;
        int dataOffset = offset + Avp.VendorHeaderSize;
        int imei = NotSeen, softwareVersion = NotSeen, meid = NotSeen;

        var reader = new AvpReader(terminal.Data);
        while (true)
        {
            int position = reader.Position;
            AvpReadStatus status = reader.Read(out Avp child);
            if (status == AvpReadStatus.End)
            {
                break;
            }

            if (status == AvpReadStatus.InvalidLength)
            {
                error = RequestCheck.InvalidLength(terminal.Data, position, dataOffset, parentOffset: offset);
                return false;
            }

            int childOffset = dataOffset + child.Offset;
            ref int seen = ref imei;
            if (child.Is(AvpCodes.Imei, VendorIds.ThreeGpp))
            {
                seen = ref imei;
            }
            else if (child.Is(AvpCodes.SoftwareVersion, VendorIds.ThreeGpp))
            {
                seen = ref softwareVersion;
            }
            else if (child.Is(AvpCodes.Meid3Gpp2, VendorIds.ThreeGpp))
            {
                seen = ref meid;
            }
            else
            {
                if (child.IsMandatory)
                {
                    error = ProtocolError.Copy(ResultCodes.AvpUnsupported, offset, childOffset, child.Length, child.Code);
                    return false;
                }

                continue;
            }

            if (seen != NotSeen)
            {
                error = ProtocolError.Copy(ResultCodes.AvpOccursTooManyTimes, offset, childOffset, child.Length, child.Code);
                return false;
            }

            seen = childOffset;
            if (child.Code == AvpCodes.Imei)
            {
                ecr.Imei = child.Data;
                ecr.ImeiOffset = childOffset;
                ecr.ImeiAvpLength = child.Length;
            }
            else if (child.Code == AvpCodes.SoftwareVersion)
            {
                ecr.SoftwareVersion = child.Data;
            }
        }

        // The grammar makes IMEI optional (3GPP2-MEID is the CDMA alternative), but an EIR keyed by IMEI cannot
        // answer without it: 5005 with Terminal-Information { IMEI, empty }.
        if (imei == NotSeen)
        {
            error = ProtocolError.Missing(offset, AvpCodes.Imei, AvpFlags.VendorMandatory, VendorIds.ThreeGpp, 0);
            return false;
        }

        error = default;
        return true;
    }

    // An empty Session-Id or DiameterIdentity is no identity at all (RFC 6733 §4.3.1): 5004.
    private static bool RequireNotEmpty(in Avp avp, int offset, out ProtocolError error)
    {
        if (avp.Data.IsEmpty)
        {
            error = ProtocolError.Copy(ResultCodes.InvalidAvpValue, -1, offset, avp.Length, avp.Code);
            return false;
        }

        error = default;
        return true;
    }

    // RFC 6733 §4.3.1: the peer's own identity is a DiameterIdentity (printable ASCII FQDN); anything else is 5004.
    private static bool RequireIdentity(in Avp avp, int offset, out ProtocolError error)
    {
        if (!DiameterIdentity.IsValid(avp.Data))
        {
            error = ProtocolError.Copy(ResultCodes.InvalidAvpValue, -1, offset, avp.Length, avp.Code);
            return false;
        }

        error = default;
        return true;
    }

    private static bool IsImsi(ReadOnlySpan<byte> data)
    {
        if (data.Length is < 5 or > 15)
        {
            return false;
        }

        foreach (byte b in data)
        {
            if ((uint)(b - '0') > 9)
            {
                return false;
            }
        }

        return true;
    }
}
