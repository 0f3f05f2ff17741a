using System.Buffers.Binary;

namespace ImeiEir.Diameter;

public static partial class S13Messages
{
    /// <summary>
    /// Writes an ECR (client side: eirctl, load generator, tests) and returns its length.
    /// <code>
    /// ECR ::= &lt; Diameter Header: 324, REQ, PXY, 16777252 &gt;
    ///         &lt; Session-Id &gt; { Auth-Session-State 1 } { Origin-Host } { Origin-Realm } { Destination-Realm }
    ///         [ Destination-Host ] [ VSAI {10415, 16777252} ]
    ///         { Terminal-Information { IMEI [Software-Version] } } [ User-Name ]
    /// </code>
    /// </summary>
    /// <param name="dest">At least <see cref="MaxEcrLength"/> bytes.</param>
    /// <param name="id">The client's identity (Origin-Host / Origin-Realm).</param>
    /// <param name="sessionId">Session-Id, e.g. <c>mme.example;1;1</c>.</param>
    /// <param name="destinationRealm">Destination-Realm.</param>
    /// <param name="destinationHost">Destination-Host; empty = omitted.</param>
    /// <param name="imei">IMEI digits (14 or 15).</param>
    /// <param name="softwareVersion">Software-Version digits; empty = omitted.</param>
    /// <param name="imsi">User-Name (IMSI digits); empty = omitted.</param>
    /// <param name="hopByHopId">Hop-by-hop identifier.</param>
    /// <param name="endToEndId">End-to-end identifier.</param>
    public static int WriteEcr(Span<byte> dest, LocalIdentity id, ReadOnlySpan<byte> sessionId, ReadOnlySpan<byte> destinationRealm,
        ReadOnlySpan<byte> destinationHost, ReadOnlySpan<byte> imei, ReadOnlySpan<byte> softwareVersion,
        ReadOnlySpan<byte> imsi, uint hopByHopId, uint endToEndId)
    {
        var writer = new MessageWriter(dest);
        writer.WriteHeader(DiameterFlags.Request | DiameterFlags.Proxiable, CommandCodes.MeIdentityCheck, ApplicationIds.S13,
            hopByHopId, endToEndId);
        writer.WriteAvp(AvpCodes.SessionId, AvpFlags.Mandatory, 0, sessionId);
        writer.WriteRaw(WireConstants.S13VendorSpecificApplicationId);
        writer.WriteRaw(WireConstants.AuthSessionStateNoState);
        writer.WriteRaw(id.OriginAvps.Span);
        if (!destinationHost.IsEmpty)
        {
            writer.WriteAvp(AvpCodes.DestinationHost, AvpFlags.Mandatory, 0, destinationHost);
        }

        writer.WriteAvp(AvpCodes.DestinationRealm, AvpFlags.Mandatory, 0, destinationRealm);
        int terminal = writer.BeginGrouped(AvpCodes.TerminalInformation, AvpFlags.VendorMandatory, VendorIds.ThreeGpp);
        writer.WriteAvp(AvpCodes.Imei, AvpFlags.VendorMandatory, VendorIds.ThreeGpp, imei);
        if (!softwareVersion.IsEmpty)
        {
            writer.WriteAvp(AvpCodes.SoftwareVersion, AvpFlags.VendorMandatory, VendorIds.ThreeGpp, softwareVersion);
        }

        writer.EndGrouped(terminal);
        if (!imsi.IsEmpty)
        {
            writer.WriteAvp(AvpCodes.UserName, AvpFlags.Mandatory, 0, imsi);
        }

        return writer.Finish();
    }

    /// <summary>
    /// Bytes needed by <see cref="WriteEcr"/>: pass the lengths of IMEI, IMSI, Session-Id and Destination-Realm +
    /// Destination-Host. A Software-Version of up to 4 bytes is included; add a longer one to <paramref name="imeiLength"/>.
    /// </summary>
    public static int MaxEcrLength(int imeiLength, int imsiLength, int sessionIdLength, LocalIdentity id, int destinationLength)
    {
        ArgumentNullException.ThrowIfNull(id);

        // Header 20, VSAI 32, Auth-Session-State 12, Terminal-Information 12 + IMEI 12 + Software-Version 12,
        // Session-Id / User-Name / Destination-Realm / Destination-Host 8 each, + 3 padding for every variable AVP.
        return 20 + 32 + 12 + 36 + 32 + 6 * 3 + 4 + id.OriginAvps.Length
            + imeiLength + imsiLength + sessionIdLength + destinationLength;
    }

    /// <summary>
    /// Parses an ECA (client side). False when the frame is not an ECA answer or its AVPs cannot be delimited;
    /// the content is not validated beyond that.
    /// </summary>
    public static bool TryParseEca(ReadOnlySpan<byte> message, out EcaView eca)
    {
        eca = default;
        eca.EquipmentStatus = -1;
        if (!DiameterHeader.TryRead(message, out DiameterHeader header)
            || header.MessageLength < DiameterHeader.Size || header.MessageLength > message.Length
            || header.IsRequest || header.CommandCode != CommandCodes.MeIdentityCheck)
        {
            return false;
        }

        eca.Header = header;
        var reader = new AvpReader(message[DiameterHeader.Size..header.MessageLength]);
        AvpReadStatus status;
        while ((status = reader.Read(out Avp avp)) == AvpReadStatus.Ok)
        {
            if (avp.Is(AvpCodes.EquipmentStatus, VendorIds.ThreeGpp))
            {
                eca.EquipmentStatus = avp.TryGetUInt32(out uint value) ? (int)Math.Min(value, int.MaxValue) : -1;
                continue;
            }

            if (avp.IsVendorSpecific)
            {
                continue;
            }

            switch (avp.Code)
            {
                case AvpCodes.SessionId: eca.SessionId = avp.Data; break;
                case AvpCodes.ResultCode: eca.ResultCode = avp.TryGetUInt32(out uint rc) ? rc : 0; break;
                case AvpCodes.ExperimentalResult: eca.ExperimentalResultCode = ReadExperimentalResultCode(avp.Data); break;
                case AvpCodes.AuthSessionState: eca.HasAuthSessionState = true; break;
                case AvpCodes.OriginHost: eca.OriginHost = avp.Data; break;
                case AvpCodes.OriginRealm: eca.OriginRealm = avp.Data; break;
                case AvpCodes.FailedAvp: eca.FailedAvp = avp.Data; break;
                case AvpCodes.ProxyInfo: eca.ProxyInfoCount++; break;
            }
        }

        return status == AvpReadStatus.End;
    }

    internal static uint ReadExperimentalResultCode(ReadOnlySpan<byte> group)
    {
        var reader = new AvpReader(group);
        while (reader.Read(out Avp avp) == AvpReadStatus.Ok)
        {
            if (avp.Is(AvpCodes.ExperimentalResultCode, VendorIds.Ietf) && avp.Data.Length == 4)
            {
                return BinaryPrimitives.ReadUInt32BigEndian(avp.Data);
            }
        }

        return 0;
    }
}
