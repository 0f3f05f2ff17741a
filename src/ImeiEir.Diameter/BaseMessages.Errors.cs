namespace ImeiEir.Diameter;

public static partial class BaseMessages
{
    /// <summary>
    /// Writes the RFC 6733 §7.2 answer-message for a protocol error (3001, 3004, 3007, 3008, 3009 ...): E bit set,
    /// P and ids copied, command code and application id copied from the request.
    /// <code>
    /// answer-message ::= &lt; Diameter Header: code, ERR [PXY] &gt;
    ///                    0*1&lt; Session-Id &gt; { Origin-Host } { Origin-Realm } { Result-Code }
    ///                    [ Failed-AVP ] *[ Proxy-Info ]
    /// </code>
    /// </summary>
    /// <param name="dest">At least <see cref="MaxAnswerLength"/> bytes.</param>
    /// <param name="request">The request frame, at least its 20-byte header (anything shorter throws).</param>
    /// <param name="id">This node.</param>
    /// <param name="resultCode">The 3xxx Result-Code; a code outside 3xxx is written without the E bit.</param>
    public static int WriteProtocolErrorAnswer(Span<byte> dest, ReadOnlySpan<byte> request, LocalIdentity id, uint resultCode) =>
        WriteAnswerMessage(dest, request, id, ProtocolError.FromResultCode(resultCode));

    /// <summary>
    /// Answers a request whose Message Length is impossible (under 20 bytes or not a multiple of 4, RFC 6733 §3) with
    /// 5015 DIAMETER_INVALID_MESSAGE_LENGTH (§7.1.5). Only the 20-byte header is read: nothing after it can be
    /// delimited, so no Session-Id is echoed. The connection is closed after it.
    /// <code>
    /// answer ::= &lt; Diameter Header: code of the request &gt; { Origin-Host } { Origin-Realm } { Result-Code 5015 }
    /// </code>
    /// </summary>
    /// <param name="dest">At least <c>MaxAnswerLength(0, id)</c> bytes.</param>
    /// <param name="request">The request's header (FrameScanner reads it even when it straddles segments).</param>
    /// <param name="id">This node.</param>
    public static int WriteInvalidMessageLengthAnswer(Span<byte> dest, in DiameterHeader request, LocalIdentity id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var writer = new MessageWriter(dest);
        AnswerParts.WriteHeader(ref writer, request, error: false);
        writer.WriteRaw(id.OriginAvps.Span);
        writer.WriteUInt32Avp(AvpCodes.ResultCode, AvpFlags.Mandatory, 0, ResultCodes.InvalidMessageLength);
        return writer.Finish();
    }

    /// <summary>
    /// Reads the top-level Result-Code of an answer (CEA, DWA, DPA, ECA, answer-message); false when absent or when
    /// the frame cannot be delimited.
    /// </summary>
    public static bool TryGetResultCode(ReadOnlySpan<byte> answer, out uint resultCode) =>
        TryGetTopLevelUInt32(answer, AvpCodes.ResultCode, out resultCode);

    /// <summary>
    /// Bytes that any answer to a request of <paramref name="requestLength"/> bytes can need: everything copied from
    /// the request (Session-Id, Proxy-Info, the Failed-AVP) is bounded by the request itself, the rest by
    /// <see cref="LocalIdentity.MaxAnswerOverhead"/>. Pass it to <c>PipeWriter.GetSpan</c>.
    /// </summary>
    public static int MaxAnswerLength(int requestLength, LocalIdentity id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return Math.Max(requestLength, DiameterHeader.Size) + id.MaxAnswerOverhead;
    }

    internal static int WriteAnswerMessage(Span<byte> dest, ReadOnlySpan<byte> request, LocalIdentity id, in ProtocolError error)
    {
        DiameterHeader header = AnswerParts.RequireHeader(request);
        ReadOnlySpan<byte> body = AnswerParts.Body(request, header);
        var writer = new MessageWriter(dest);
        AnswerParts.WriteHeader(ref writer, header, error.IsProtocolError);
        AnswerParts.EchoSessionId(ref writer, body);
        writer.WriteRaw(id.OriginAvps.Span);
        writer.WriteUInt32Avp(AvpCodes.ResultCode, AvpFlags.Mandatory, 0, error.ResultCode);
        FailedAvpWriter.Write(ref writer, request, error);
        AnswerParts.EchoProxyInfo(ref writer, body, 0);
        return writer.Finish();
    }

    // DWA and DPA refusing a peer's DWR or DPR (RFC 6733 §5.5.2, §5.4.2, §7.5): a 3xxx code is the §7.2
    // answer-message with the E bit; anything else the command's own answer with the Result-Code and the Failed-AVP,
    // then the AVPs that answer adds at its end (the DWA's Origin-State-Id).
    private static int WritePeerRequestRefusal(Span<byte> dest, ReadOnlySpan<byte> request, LocalIdentity id,
        in ProtocolError error, ReadOnlySpan<byte> trailingAvps)
    {
        if (error.IsProtocolError)
        {
            return WriteAnswerMessage(dest, request, id, error);
        }

        DiameterHeader header = AnswerParts.RequireHeader(request);
        var writer = new MessageWriter(dest);
        AnswerParts.WriteHeader(ref writer, header, error: false);
        writer.WriteUInt32Avp(AvpCodes.ResultCode, AvpFlags.Mandatory, 0, error.ResultCode);
        writer.WriteRaw(id.OriginAvps.Span);
        FailedAvpWriter.Write(ref writer, request, error);
        writer.WriteRaw(trailingAvps);
        return writer.Finish();
    }

    private static bool TryGetTopLevelUInt32(ReadOnlySpan<byte> message, uint code, out uint value)
    {
        value = 0;
        if (!DiameterHeader.TryRead(message, out DiameterHeader header)
            || header.MessageLength < DiameterHeader.Size || header.MessageLength > message.Length)
        {
            return false;
        }

        var reader = new AvpReader(message[DiameterHeader.Size..header.MessageLength]);
        while (reader.Read(out Avp avp) == AvpReadStatus.Ok)
        {
            if (avp.Is(code, VendorIds.Ietf))
            {
                return avp.TryGetUInt32(out value);
            }
        }

        return false;
    }
}
