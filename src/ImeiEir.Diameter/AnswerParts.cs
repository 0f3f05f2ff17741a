namespace ImeiEir.Diameter;

/// <summary>
/// Pieces shared by every answer: the header derived from the request, Session-Id and Proxy-Info echoes.
/// <code>
/// request  | ver len | R P E T | cmd | app | h2h | e2e |
/// answer   | ver len | 0 P E' 0| cmd | app | h2h | e2e |   R cleared, P copied, ids copied (RFC 6733 §6.2)
/// </code>
/// </summary>
internal static class AnswerParts
{
    public static void WriteHeader(ref MessageWriter writer, in DiameterHeader request, bool error)
    {
        byte flags = (byte)((request.Flags & DiameterFlags.Proxiable) | (error ? DiameterFlags.Error : 0));
        writer.WriteHeader(flags, request.CommandCode, request.ApplicationId, request.HopByHopId, request.EndToEndId);
    }

    /// <summary>The AVPs of a message, clamped to the bytes actually given.</summary>
    public static ReadOnlySpan<byte> Body(ReadOnlySpan<byte> message, scoped in DiameterHeader header)
    {
        int end = Math.Min(Math.Max(header.MessageLength, DiameterHeader.Size), message.Length);
        return message[DiameterHeader.Size..end];
    }

    /// <summary>Reads the header of a request that is to be answered; throws only for a caller bug (under 20 bytes).</summary>
    public static DiameterHeader RequireHeader(ReadOnlySpan<byte> request)
    {
        if (!DiameterHeader.TryRead(request, out DiameterHeader header))
        {
            ThrowHelper.ThrowNotAMessage(nameof(request));
        }

        return header;
    }

    /// <summary>Writes Session-Id when the request has one at top level (RFC 6733 §8.8: answers echo it).</summary>
    public static void EchoSessionId(ref MessageWriter writer, scoped ReadOnlySpan<byte> body)
    {
        var reader = new AvpReader(body);
        while (reader.Read(out Avp avp) == AvpReadStatus.Ok)
        {
            if (avp.Is(AvpCodes.SessionId, VendorIds.Ietf))
            {
                writer.WriteAvp(AvpCodes.SessionId, AvpFlags.Mandatory, 0, avp.Data);
                return;
            }
        }
    }

    /// <summary>
    /// Copies every top-level Proxy-Info, in order, starting at <paramref name="from"/> (an AVP boundary of the body):
    /// RFC 6733 §6.2 says the answer carries them exactly as the request did.
    /// </summary>
    public static void EchoProxyInfo(ref MessageWriter writer, scoped ReadOnlySpan<byte> body, int from)
    {
        if ((uint)from >= (uint)body.Length)
        {
            return;
        }

        var reader = new AvpReader(body[from..]);
        while (reader.Read(out Avp avp) == AvpReadStatus.Ok)
        {
            if (avp.Is(AvpCodes.ProxyInfo, VendorIds.Ietf))
            {
                writer.WriteAvpCopy(avp.Raw);
            }
        }
    }
}
