namespace ImeiEir.Diameter;

/// <summary>Header checks common to every request parser (RFC 6733 §3, §7.1.3).</summary>
internal static class RequestCheck
{
    /// <summary>
    /// Validates the header of a request for <paramref name="commandCode"/> / <paramref name="applicationId"/> and
    /// returns its AVPs. Failure is a <see cref="ProtocolError"/> without Failed-AVP.
    /// </summary>
    public static bool TryCheck(ReadOnlySpan<byte> message, uint commandCode, uint applicationId,
        out DiameterHeader header, out ReadOnlySpan<byte> body, out ProtocolError error)
    {
        body = default;
        if (!DiameterHeader.TryRead(message, out header)
            || header.MessageLength < DiameterHeader.Size
            || header.MessageLength > message.Length)
        {
            // Only reachable when the caller skipped FrameScanner; 5015 DIAMETER_INVALID_MESSAGE_LENGTH.
            error = ProtocolError.FromResultCode(ResultCodes.InvalidMessageLength);
            return false;
        }

        body = message[DiameterHeader.Size..header.MessageLength];

        // RFC 6733 §7.1.3: a request with the E bit or reserved bits set is answered 3008 INVALID_HDR_BITS.
        // An answer handed to a request parser lands here as well.
        if (!header.IsRequest || header.IsError || header.HasReservedBits)
        {
            error = ProtocolError.FromResultCode(ResultCodes.InvalidHeaderBits);
            return false;
        }

        if (header.CommandCode != commandCode)
        {
            error = ProtocolError.FromResultCode(ResultCodes.CommandUnsupported);
            return false;
        }

        if (header.ApplicationId != applicationId)
        {
            error = ProtocolError.FromResultCode(ResultCodes.ApplicationUnsupported);
            return false;
        }

        error = default;
        return true;
    }

    /// <summary>5014 for an AVP whose length cannot be trusted: its header, zero-filled where cut short.</summary>
    public static ProtocolError InvalidLength(ReadOnlySpan<byte> avps, int position, int baseOffset, int parentOffset)
    {
        int available = Math.Min(avps.Length - position, Avp.VendorHeaderSize);
        uint code = available >= 4 ? System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(avps[position..]) : 0;
        return ProtocolError.HeaderOnly(ResultCodes.InvalidAvpLength, parentOffset, baseOffset + position, available, code);
    }
}
