namespace ImeiEir.Diameter;

/// <summary>
/// Base-protocol messages of application 0 (RFC 6733 §5): capabilities exchange, watchdog, disconnect, and the
/// §7.2 answer-message for protocol errors. Writers return the number of bytes written into <c>dest</c>.
/// </summary>
public static partial class BaseMessages
{
    /// <summary>
    /// Parses a CER (RFC 6733 §5.3.1). Origin-Host and Origin-Realm are required (5005), once each (5009), and must
    /// be DiameterIdentities (5004, <see cref="DiameterIdentity"/>); an AVP outside the CER grammar is ignored
    /// without the M bit and refused with it (5001, RFC 6733 §4.1); an AVP length that cannot be trusted is 5014.
    /// Whether the peer speaks S13 is reported in <see cref="CerView.SupportsS13"/>: answer 5010 if not.
    /// </summary>
    public static bool TryParseCer(ReadOnlySpan<byte> message, out CerView cer, out ProtocolError error)
    {
        cer = default;
        if (!RequestCheck.TryCheck(message, CommandCodes.CapabilitiesExchange, ApplicationIds.Common,
                out DiameterHeader header, out ReadOnlySpan<byte> body, out error))
        {
            return false;
        }

        cer.Header = header;
        CapabilityScan scan = default;
        scan.RejectUnknownMandatory = true;
        if (!scan.TryScan(body, out error))
        {
            return false;
        }

        cer.OriginHost = scan.OriginHost;
        cer.OriginRealm = scan.OriginRealm;
        cer.SupportsS13 = scan.SupportsS13;
        cer.OriginStateId = scan.OriginStateId;
        cer.ProductName = scan.ProductName;

        error = !scan.HasOriginHost ? ProtocolError.Missing(-1, AvpCodes.OriginHost, AvpFlags.Mandatory, 0, 0)
            : !scan.HasOriginRealm ? ProtocolError.Missing(-1, AvpCodes.OriginRealm, AvpFlags.Mandatory, 0, 0)
            : !DiameterIdentity.IsValid(scan.OriginHost)
                ? ProtocolError.Copy(ResultCodes.InvalidAvpValue, -1, scan.OriginHostOffset, scan.OriginHostLength, AvpCodes.OriginHost)
            : !DiameterIdentity.IsValid(scan.OriginRealm)
                ? ProtocolError.Copy(ResultCodes.InvalidAvpValue, -1, scan.OriginRealmOffset, scan.OriginRealmLength, AvpCodes.OriginRealm)
            : default;
        return error.ResultCode == 0;
    }

    /// <summary>
    /// Writes a CEA (RFC 6733 §5.3.2): Result-Code, Origin-Host, Origin-Realm and the capability AVPs of
    /// <paramref name="id"/>. P and the ids are copied from the request; a 3xxx code sets the E bit.
    /// </summary>
    public static int WriteCea(Span<byte> dest, in DiameterHeader request, LocalIdentity id, uint resultCode)
    {
        var writer = new MessageWriter(dest);
        WriteCeaAvps(ref writer, request, id, resultCode);
        return writer.Finish();
    }

    /// <summary>
    /// Writes a CEA for a CER that <see cref="TryParseCer"/> refused, with the Failed-AVP of <paramref name="error"/>.
    /// </summary>
    public static int WriteCea(Span<byte> dest, ReadOnlySpan<byte> request, LocalIdentity id, in ProtocolError error)
    {
        DiameterHeader header = AnswerParts.RequireHeader(request);
        var writer = new MessageWriter(dest);
        WriteCeaAvps(ref writer, header, id, error.ResultCode);
        FailedAvpWriter.Write(ref writer, request, error);
        return writer.Finish();
    }

    /// <summary>Writes a CER (RFC 6733 §5.3.1, client side): Origin-Host, Origin-Realm and the capability AVPs.</summary>
    public static int WriteCer(Span<byte> dest, LocalIdentity id, uint hopByHopId, uint endToEndId)
    {
        var writer = new MessageWriter(dest);
        writer.WriteHeader(DiameterFlags.Request, CommandCodes.CapabilitiesExchange, ApplicationIds.Common, hopByHopId, endToEndId);
        writer.WriteRaw(id.OriginAvps.Span);
        writer.WriteRaw(id.CapabilityAvps.Span);
        return writer.Finish();
    }

    /// <summary>Parses a CEA (client side). False when it is not a CEA, cannot be delimited or has no Result-Code.</summary>
    public static bool TryParseCea(ReadOnlySpan<byte> message, out CeaView cea)
    {
        cea = default;
        if (!TryGetAnswerBody(message, CommandCodes.CapabilitiesExchange, out DiameterHeader header, out ReadOnlySpan<byte> body))
        {
            return false;
        }

        CapabilityScan scan = default;
        if (!scan.TryScan(body, out _) || !scan.HasResultCode)
        {
            return false;
        }

        cea.Header = header;
        cea.ResultCode = scan.ResultCode;
        cea.OriginHost = scan.OriginHost;
        cea.OriginRealm = scan.OriginRealm;
        cea.SupportsS13 = scan.SupportsS13;
        cea.OriginStateId = scan.OriginStateId;
        cea.FailedAvp = scan.FailedAvp;
        return true;
    }

    private static void WriteCeaAvps(ref MessageWriter writer, in DiameterHeader request, LocalIdentity id, uint resultCode)
    {
        AnswerParts.WriteHeader(ref writer, request, ResultCodes.IsProtocolError(resultCode));
        writer.WriteUInt32Avp(AvpCodes.ResultCode, AvpFlags.Mandatory, 0, resultCode);
        writer.WriteRaw(id.OriginAvps.Span);
        writer.WriteRaw(id.CapabilityAvps.Span);
    }

    private static bool TryGetAnswerBody(ReadOnlySpan<byte> message, uint commandCode, out DiameterHeader header, out ReadOnlySpan<byte> body)
    {
        body = default;
        if (!DiameterHeader.TryRead(message, out header)
            || header.MessageLength < DiameterHeader.Size || header.MessageLength > message.Length
            || header.IsRequest || header.CommandCode != commandCode)
        {
            return false;
        }

        body = message[DiameterHeader.Size..header.MessageLength];
        return true;
    }
}
