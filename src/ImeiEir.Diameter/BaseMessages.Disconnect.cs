namespace ImeiEir.Diameter;

public static partial class BaseMessages
{
    /// <summary>Disconnect-Cause REBOOTING (RFC 6733 §5.4.3).</summary>
    public const uint DisconnectCauseRebooting = 0;

    /// <summary>Disconnect-Cause BUSY.</summary>
    public const uint DisconnectCauseBusy = 1;

    /// <summary>Disconnect-Cause DO_NOT_WANT_TO_TALK_TO_YOU.</summary>
    public const uint DisconnectCauseDoNotWantToTalkToYou = 2;

    /// <summary>
    /// Writes a DPR (RFC 6733 §5.4.1).
    /// <code>
    /// DPR ::= &lt; Diameter Header: 282, REQ &gt; { Origin-Host } { Origin-Realm } { Disconnect-Cause }
    /// </code>
    /// </summary>
    /// <param name="dest">Destination span.</param>
    /// <param name="id">This node.</param>
    /// <param name="hopByHopId">Hop-by-hop identifier.</param>
    /// <param name="endToEndId">End-to-end identifier.</param>
    /// <param name="disconnectCause">0 REBOOTING, 1 BUSY, 2 DO_NOT_WANT_TO_TALK_TO_YOU.</param>
    public static int WriteDpr(Span<byte> dest, LocalIdentity id, uint hopByHopId, uint endToEndId, uint disconnectCause)
    {
        var writer = new MessageWriter(dest);
        writer.WriteHeader(DiameterFlags.Request, CommandCodes.DisconnectPeer, ApplicationIds.Common, hopByHopId, endToEndId);
        writer.WriteRaw(id.OriginAvps.Span);
        writer.WriteUInt32Avp(AvpCodes.DisconnectCause, AvpFlags.Mandatory, 0, disconnectCause);
        return writer.Finish();
    }

    /// <summary>
    /// Writes a DPA (RFC 6733 §5.4.2); a 3xxx code sets the E bit.
    /// <code>
    /// DPA ::= &lt; Diameter Header: 282 &gt; { Result-Code } { Origin-Host } { Origin-Realm }
    /// </code>
    /// </summary>
    public static int WriteDpa(Span<byte> dest, in DiameterHeader request, LocalIdentity id, uint resultCode = ResultCodes.Success)
    {
        var writer = new MessageWriter(dest);
        AnswerParts.WriteHeader(ref writer, request, ResultCodes.IsProtocolError(resultCode));
        writer.WriteUInt32Avp(AvpCodes.ResultCode, AvpFlags.Mandatory, 0, resultCode);
        writer.WriteRaw(id.OriginAvps.Span);
        return writer.Finish();
    }

    /// <summary>
    /// Validates a DPR from the peer (<see cref="PeerRequestCheck"/>: Origin-Host and Origin-Realm DiameterIdentities,
    /// Disconnect-Cause present and 4 bytes, no unknown AVP with the M bit); false with the error to answer through
    /// <see cref="WriteDpa(Span{byte}, ReadOnlySpan{byte}, LocalIdentity, in ProtocolError)"/>. Allocates nothing.
    /// </summary>
    public static bool TryParseDpr(ReadOnlySpan<byte> message, out uint disconnectCause, out ProtocolError error) =>
        PeerRequestCheck.TryCheck(message, CommandCodes.DisconnectPeer, AvpCodes.DisconnectCause, extraRequired: true,
            out disconnectCause, out error);

    /// <summary>
    /// Answers a DPR that <see cref="TryParseDpr"/> refused: a 3xxx code is the §7.2 answer-message with the E bit,
    /// anything else a DPA carrying the Result-Code and the Failed-AVP (RFC 6733 §5.4.2, §7.5).
    /// </summary>
    public static int WriteDpa(Span<byte> dest, ReadOnlySpan<byte> request, LocalIdentity id, in ProtocolError error) =>
        WritePeerRequestRefusal(dest, request, id, error, ReadOnlySpan<byte>.Empty);

    /// <summary>Reads Disconnect-Cause from a DPR; false when absent or malformed.</summary>
    public static bool TryGetDisconnectCause(ReadOnlySpan<byte> request, out uint disconnectCause) =>
        TryGetTopLevelUInt32(request, AvpCodes.DisconnectCause, out disconnectCause);
}
