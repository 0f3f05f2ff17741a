namespace ImeiEir.Diameter;

public static partial class S13Messages
{
    /// <summary>
    /// The IMEI digits of an ECR, found without validating anything else: the first IMEI AVP inside the first
    /// Terminal-Information AVP, both 3GPP. For a hint taken ahead of the real parse (prefetching the IMEI's store
    /// bucket while earlier requests of the same read are answered), so it is cheaper than
    /// <see cref="TryParseEcr"/> and may accept what that refuses; it is never the answer's source. Empty when
    /// <paramref name="message"/> is not an ECR request or has no IMEI where expected. Never throws, allocates nothing.
    /// </summary>
    public static ReadOnlySpan<byte> FindImei(ReadOnlySpan<byte> message)
    {
        if (!DiameterHeader.TryRead(message, out DiameterHeader header)
            || !header.IsRequest
            || header.CommandCode != CommandCodes.MeIdentityCheck
            || header.ApplicationId != ApplicationIds.S13
            || header.MessageLength < DiameterHeader.Size
            || header.MessageLength > message.Length)
        {
            return default;
        }

        var reader = new AvpReader(message[DiameterHeader.Size..header.MessageLength]);
        while (reader.Read(out Avp avp) == AvpReadStatus.Ok)
        {
            if (!avp.Is(AvpCodes.TerminalInformation, VendorIds.ThreeGpp))
                continue;
            var children = new AvpReader(avp.Data);
            while (children.Read(out Avp child) == AvpReadStatus.Ok)
            {
                if (child.Is(AvpCodes.Imei, VendorIds.ThreeGpp))
                    return child.Data;
            }
            return default;
        }
        return default;
    }
}
