namespace ImeiEir.Diameter;

public static partial class S13Messages
{
    /// <summary>
    /// Writes the ECA for a known device (TS 29.272 §7.2.16) into <paramref name="dest"/> and returns its length.
    /// <code>
    /// ECA ::= &lt; Diameter Header: 324, PXY (copied), 16777252 &gt;
    ///         &lt; Session-Id &gt; [ Vendor-Specific-Application-Id {10415, 16777252} ]
    ///         [ Result-Code 2001 ] { Auth-Session-State 1 } { Origin-Host } { Origin-Realm }
    ///         [ Equipment-Status (V M 10415) ] *[ Proxy-Info (echoed in order) ]
    /// </code>
    /// </summary>
    /// <param name="dest">At least <see cref="BaseMessages.MaxAnswerLength"/> bytes.</param>
    /// <param name="request">The ECR frame <paramref name="ecr"/> was parsed from.</param>
    /// <param name="ecr">The parsed request.</param>
    /// <param name="id">This node.</param>
    /// <param name="equipmentStatus">0 WHITELISTED, 1 BLACKLISTED, 2 GREYLISTED (TS 29.272 §7.3.51).</param>
    public static int WriteEca(Span<byte> dest, ReadOnlySpan<byte> request, in EcrView ecr, LocalIdentity id, uint equipmentStatus)
    {
        var writer = new MessageWriter(dest);
        WriteEcaStart(ref writer, ecr);
        writer.WriteRaw(WireConstants.ResultCodeSuccess);
        writer.WriteRaw(WireConstants.AuthSessionStateNoState);
        writer.WriteRaw(id.OriginAvps.Span);
        writer.WriteUInt32Avp(AvpCodes.EquipmentStatus, AvpFlags.VendorMandatory, VendorIds.ThreeGpp, equipmentStatus);
        EchoProxyInfo(ref writer, request, ecr);
        return writer.Finish();
    }

    /// <summary>
    /// Writes an ECA with Experimental-Result {Vendor-Id 10415, Experimental-Result-Code} and no Result-Code nor
    /// Equipment-Status, e.g. 5422 DIAMETER_ERROR_EQUIPMENT_UNKNOWN (TS 29.272 §7.4.3). The E bit stays clear:
    /// experimental results are not protocol errors.
    /// <code>
    /// Experimental-Result 297 (M) { Vendor-Id 266 = 10415, Experimental-Result-Code 298 = code }
    /// </code>
    /// </summary>
    public static int WriteEcaExperimental(Span<byte> dest, ReadOnlySpan<byte> request, in EcrView ecr, LocalIdentity id,
        uint experimentalResultCode)
    {
        var writer = new MessageWriter(dest);
        WriteEcaStart(ref writer, ecr);
        int group = writer.BeginGrouped(AvpCodes.ExperimentalResult, AvpFlags.Mandatory, 0);
        writer.WriteUInt32Avp(AvpCodes.VendorId, AvpFlags.Mandatory, 0, VendorIds.ThreeGpp);
        writer.WriteUInt32Avp(AvpCodes.ExperimentalResultCode, AvpFlags.Mandatory, 0, experimentalResultCode);
        writer.EndGrouped(group);
        writer.WriteRaw(WireConstants.AuthSessionStateNoState);
        writer.WriteRaw(id.OriginAvps.Span);
        EchoProxyInfo(ref writer, request, ecr);
        return writer.Finish();
    }

    /// <summary>
    /// Writes the answer for a request <see cref="TryParseEcr"/> refused (or for any <see cref="ProtocolError"/>):
    /// <list type="bullet">
    /// <item>3xxx: the RFC 6733 §7.2 answer-message, E bit set (see <see cref="BaseMessages.WriteProtocolErrorAnswer"/>).</item>
    /// <item>5xxx: an ECA, E bit clear, with Auth-Session-State (TS 29.272 §7.2.16) and the Failed-AVP.</item>
    /// </list>
    /// <code>
    /// ECA ::= &lt; header &gt; [ Session-Id (echoed) ] [ VSAI ] { Result-Code } { Auth-Session-State 1 }
    ///         { Origin-Host } { Origin-Realm } [ Failed-AVP ] *[ Proxy-Info ]
    /// </code>
    /// </summary>
    /// <param name="dest">At least <see cref="BaseMessages.MaxAnswerLength"/> bytes.</param>
    /// <param name="request">The request frame, at least its 20-byte header (anything shorter throws).</param>
    /// <param name="id">This node.</param>
    /// <param name="error">What to answer.</param>
    public static int WriteError(Span<byte> dest, ReadOnlySpan<byte> request, LocalIdentity id, in ProtocolError error)
    {
        if (error.IsProtocolError)
        {
            return BaseMessages.WriteAnswerMessage(dest, request, id, error);
        }

        DiameterHeader header = AnswerParts.RequireHeader(request);
        ReadOnlySpan<byte> body = AnswerParts.Body(request, header);
        var writer = new MessageWriter(dest);
        AnswerParts.WriteHeader(ref writer, header, error: false);
        AnswerParts.EchoSessionId(ref writer, body);
        writer.WriteRaw(WireConstants.S13VendorSpecificApplicationId);
        writer.WriteUInt32Avp(AvpCodes.ResultCode, AvpFlags.Mandatory, 0, error.ResultCode);
        writer.WriteRaw(WireConstants.AuthSessionStateNoState);
        writer.WriteRaw(id.OriginAvps.Span);
        FailedAvpWriter.Write(ref writer, request, error);
        AnswerParts.EchoProxyInfo(ref writer, body, 0);
        return writer.Finish();
    }

    // < Session-Id > first (RFC 6733 §8.8), then VSAI: common to every ECA.
    private static void WriteEcaStart(ref MessageWriter writer, in EcrView ecr)
    {
        AnswerParts.WriteHeader(ref writer, ecr.Header, error: false);
        writer.WriteAvp(AvpCodes.SessionId, AvpFlags.Mandatory, 0, ecr.SessionId);
        writer.WriteRaw(WireConstants.S13VendorSpecificApplicationId);
    }

    private static void EchoProxyInfo(ref MessageWriter writer, ReadOnlySpan<byte> request, in EcrView ecr)
    {
        if (ecr.FirstProxyInfo >= 0)
        {
            AnswerParts.EchoProxyInfo(ref writer, AnswerParts.Body(request, ecr.Header), ecr.FirstProxyInfo);
        }
    }
}
