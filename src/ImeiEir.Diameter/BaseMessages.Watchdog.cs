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
}
