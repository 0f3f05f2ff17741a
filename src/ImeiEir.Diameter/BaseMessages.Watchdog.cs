namespace ImeiEir.Diameter;

public static partial class BaseMessages
{
    /// <summary>
    /// Writes a DWR (RFC 6733 §5.5.1).
    /// <code>
    /// DWR ::= &lt; Diameter Header: 280, REQ &gt; { Origin-Host } { Origin-Realm } [ Origin-State-Id ]
    /// </code>
    /// </summary>
    public static int WriteDwr(Span<byte> dest, LocalIdentity id, uint hopByHopId, uint endToEndId)
    {
        var writer = new MessageWriter(dest);
        writer.WriteHeader(DiameterFlags.Request, CommandCodes.DeviceWatchdog, ApplicationIds.Common, hopByHopId, endToEndId);
        writer.WriteRaw(id.OriginAvps.Span);
        writer.WriteRaw(id.OriginStateIdAvp.Span);
        return writer.Finish();
    }

    /// <summary>
    /// Writes a DWA (RFC 6733 §5.5.2); a 3xxx code sets the E bit.
    /// <code>
    /// DWA ::= &lt; Diameter Header: 280 &gt; { Result-Code } { Origin-Host } { Origin-Realm } [ Origin-State-Id ]
    /// </code>
    /// </summary>
    public static int WriteDwa(Span<byte> dest, in DiameterHeader request, LocalIdentity id, uint resultCode = ResultCodes.Success)
    {
        var writer = new MessageWriter(dest);
        AnswerParts.WriteHeader(ref writer, request, ResultCodes.IsProtocolError(resultCode));
        writer.WriteUInt32Avp(AvpCodes.ResultCode, AvpFlags.Mandatory, 0, resultCode);
        writer.WriteRaw(id.OriginAvps.Span);
        writer.WriteRaw(id.OriginStateIdAvp.Span);
        return writer.Finish();
    }

    /// <summary>
    /// Validates a DWR from the peer (<see cref="PeerRequestCheck"/>): false with the error to answer through
    /// <see cref="WriteDwa(Span{byte}, ReadOnlySpan{byte}, LocalIdentity, in ProtocolError)"/>. Allocates nothing.
    /// </summary>
    public static bool TryParseDwr(ReadOnlySpan<byte> message, out ProtocolError error) =>
        PeerRequestCheck.TryCheck(message, CommandCodes.DeviceWatchdog, AvpCodes.OriginStateId, extraRequired: false, out _, out error);

    /// <summary>
    /// Answers a DWR that <see cref="TryParseDwr"/> refused: a 3xxx code is the §7.2 answer-message with the E bit,
    /// anything else a DWA carrying the Result-Code and the Failed-AVP (RFC 6733 §5.5.2, §7.5).
    /// </summary>
    public static int WriteDwa(Span<byte> dest, ReadOnlySpan<byte> request, LocalIdentity id, in ProtocolError error) =>
        WritePeerRequestRefusal(dest, request, id, error, id.OriginStateIdAvp.Span);
}
