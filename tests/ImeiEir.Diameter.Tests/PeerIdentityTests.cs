namespace ImeiEir.Diameter.Tests;

/// <summary>
/// What a peer says about itself and the small base requests it sends on an open connection: DiameterIdentity
/// (RFC 6733 §4.3.1) in CER, DWR and ECR, DWR and repeated-CER validation (§7.1.5), and 5015 for an impossible length.
/// </summary>
public sealed class PeerIdentityTests
{
    private static readonly byte[] Host = TestAvp.Utf8(AvpCodes.OriginHost, "mme.example");
    private static readonly byte[] Realm = TestAvp.Utf8(AvpCodes.OriginRealm, "example");
    private static readonly byte[] S13 = TestAvp.U32(AvpCodes.AuthApplicationId, ApplicationIds.S13);

    private static byte[] Cer(params byte[][] avps) =>
        TestAvp.Message(DiameterFlags.Request, CommandCodes.CapabilitiesExchange, 0, 11, 12, avps);

    private static byte[] Dwr(params byte[][] avps) =>
        TestAvp.Message(DiameterFlags.Request, CommandCodes.DeviceWatchdog, 0, 21, 22, avps);

    [TestCase("mme.example.net", true)]
    [TestCase("mme-1_a.epc.mnc001.mcc401.3gppnetwork.org", true)]
    [TestCase("localhost", true)]
    [TestCase("", false)]
    [TestCase(".example", false)]
    [TestCase("example.", false)]
    [TestCase("a..b", false)]
    [TestCase("mme.example\nFORGED", false)]
    [TestCase("mme\0", false)]
    [TestCase("mme example", false)]
    [TestCase("mmé.example", false)]
    public void Diameter_identity_is_a_printable_ascii_host_name(string value, bool expected)
    {
        Assert.That(DiameterIdentity.IsValid(value), Is.EqualTo(expected));
        Assert.That(DiameterIdentity.IsValid(System.Text.Encoding.UTF8.GetBytes(value)), Is.EqualTo(expected), "bytes agree with the string");
    }

    [Test]
    public void Diameter_identity_longer_than_255_characters_is_refused()
    {
        Assert.That(DiameterIdentity.IsValid(new string('a', 255)), Is.True);
        Assert.That(DiameterIdentity.IsValid(new string('a', 256)), Is.False);
    }

    [TestCase(AvpCodes.OriginHost, "mme.example\n2026-12-06 info: Diameter peer admin up")]
    [TestCase(AvpCodes.OriginHost, "mme\0.example")]
    [TestCase(AvpCodes.OriginRealm, "example\r\n")]
    public void CER_with_an_origin_that_is_no_diameter_identity_gets_5004_with_the_avp_as_failed_avp(uint code, string value)
    {
        byte[] bad = TestAvp.Utf8(code, value);
        byte[] cer = code == AvpCodes.OriginHost ? Cer(bad, Realm, S13) : Cer(Host, bad, S13);

        Assert.That(BaseMessages.TryParseCer(cer, out _, out ProtocolError error), Is.False);
        Assert.That((error.ResultCode, error.FailedAvpCode), Is.EqualTo((ResultCodes.InvalidAvpValue, code)));
        AssertFailedAvp(CeaFor(cer, error), ResultCodes.InvalidAvpValue, bad);
    }

    [Test]
    public void CER_with_an_unknown_mandatory_avp_gets_5001_and_without_the_m_bit_is_accepted()
    {
        byte[] unknown = TestAvp.Utf8(9999, "vendor stuff", AvpFlags.Mandatory);
        Assert.That(BaseMessages.TryParseCer(Cer(Host, Realm, unknown, S13), out _, out ProtocolError error), Is.False);
        Assert.That(error.ResultCode, Is.EqualTo(ResultCodes.AvpUnsupported));
        AssertFailedAvp(CeaFor(Cer(Host, Realm, unknown, S13), error), ResultCodes.AvpUnsupported, unknown);

        byte[] optional = TestAvp.Utf8(9999, "vendor stuff", 0);
        Assert.That(BaseMessages.TryParseCer(Cer(Host, Realm, optional, S13), out _, out error), Is.True, error.ToString());
    }

    [Test]
    public void CER_with_an_avp_shorter_than_its_header_gets_5014()
    {
        byte[] shortAvp = TestAvp.Encode(AvpCodes.ProductName, AvpFlags.Mandatory, 0, [], lengthOverride: 4);
        Assert.That(BaseMessages.TryParseCer(Cer(Host, Realm, shortAvp), out _, out ProtocolError error), Is.False);
        Assert.That(error.ResultCode, Is.EqualTo(ResultCodes.InvalidAvpLength));
    }

    [Test]
    public void A_valid_DWR_passes()
    {
        Assert.That(BaseMessages.TryParseDwr(Dwr(Host, Realm, TestAvp.U32(AvpCodes.OriginStateId, 3)), out ProtocolError error), Is.True, error.ToString());
        Assert.That(BaseMessages.TryParseDwr(Dwr(Realm, Host, TestAvp.Utf8(9999, "x", 0)), out error), Is.True, error.ToString());
    }

    [Test]
    public void DWR_with_an_avp_shorter_than_8_bytes_gets_5014_with_its_header_as_failed_avp()
    {
        byte[] shortAvp = TestAvp.Encode(AvpCodes.OriginStateId, AvpFlags.Mandatory, 0, [0, 0, 0, 1], lengthOverride: 6);
        byte[] dwr = Dwr(Host, Realm, shortAvp);

        Assert.That(BaseMessages.TryParseDwr(dwr, out ProtocolError error), Is.False);
        Assert.That((error.ResultCode, error.FailedAvpCode), Is.EqualTo((ResultCodes.InvalidAvpLength, AvpCodes.OriginStateId)));
        byte[] dwa = DwaFor(dwr, error);
        // RFC 6733 §7.1.5: the offending AVP's header, its length rewritten to the header size.
        AssertFailedAvp(dwa, ResultCodes.InvalidAvpLength, TestAvp.Encode(AvpCodes.OriginStateId, AvpFlags.Mandatory, 0, []));
    }

    [Test]
    public void DWR_with_an_unknown_mandatory_avp_gets_5001_with_it_as_failed_avp()
    {
        byte[] unknown = TestAvp.Utf8(99999, "what", AvpFlags.Mandatory);
        byte[] dwr = Dwr(Host, Realm, unknown);

        Assert.That(BaseMessages.TryParseDwr(dwr, out ProtocolError error), Is.False);
        Assert.That(error.ResultCode, Is.EqualTo(ResultCodes.AvpUnsupported));
        AssertFailedAvp(DwaFor(dwr, error), ResultCodes.AvpUnsupported, unknown);
    }

    [Test]
    public void DWR_refusals_for_missing_repeated_and_forged_origins()
    {
        Assert.That(Refusal(Dwr(Realm)), Is.EqualTo((ResultCodes.MissingAvp, AvpCodes.OriginHost)));
        Assert.That(Refusal(Dwr(Host)), Is.EqualTo((ResultCodes.MissingAvp, AvpCodes.OriginRealm)));
        Assert.That(Refusal(Dwr(Host, Realm, Host)), Is.EqualTo((ResultCodes.AvpOccursTooManyTimes, AvpCodes.OriginHost)));
        Assert.That(Refusal(Dwr(TestAvp.Utf8(AvpCodes.OriginHost, "a\nb"), Realm)), Is.EqualTo((ResultCodes.InvalidAvpValue, AvpCodes.OriginHost)));
        Assert.That(Refusal(Dwr(Host, Realm, TestAvp.Utf8(AvpCodes.OriginStateId, "12345"))), Is.EqualTo((ResultCodes.InvalidAvpLength, AvpCodes.OriginStateId)));

        static (uint, uint) Refusal(byte[] dwr)
        {
            Assert.That(BaseMessages.TryParseDwr(dwr, out ProtocolError error), Is.False);
            return (error.ResultCode, error.FailedAvpCode);
        }
    }

    [Test]
    public void DWR_with_the_error_bit_gets_3008_as_an_answer_message_with_the_e_bit()
    {
        byte[] dwr = TestAvp.Message(DiameterFlags.Request | DiameterFlags.Error, CommandCodes.DeviceWatchdog, 0, 21, 22, [Host, Realm]);
        Assert.That(BaseMessages.TryParseDwr(dwr, out ProtocolError error), Is.False);
        byte[] dwa = DwaFor(dwr, error);
        Assert.That(DiameterHeader.TryRead(dwa, out DiameterHeader header) && header.IsError, Is.True);
        Assert.That(BaseMessages.TryGetResultCode(dwa, out uint code) ? code : 0, Is.EqualTo(ResultCodes.InvalidHeaderBits));
    }

    [Test]
    public void DPR_is_validated_like_a_DWR_and_its_cause_read()
    {
        byte[] cause = TestAvp.U32(AvpCodes.DisconnectCause, 2);
        Assert.That(BaseMessages.TryParseDpr(Dpr(Host, Realm, cause), out uint value, out ProtocolError error) && value == 2, Is.True, error.ToString());

        Assert.That(BaseMessages.TryParseDpr(Dpr(Host, Realm), out _, out error), Is.False);
        Assert.That((error.ResultCode, error.FailedAvpCode), Is.EqualTo((ResultCodes.MissingAvp, AvpCodes.DisconnectCause)));

        byte[] forged = TestAvp.Utf8(AvpCodes.OriginHost, "mme\0");
        byte[] dpr = Dpr(forged, Realm, cause);
        Assert.That(BaseMessages.TryParseDpr(dpr, out _, out error), Is.False);
        byte[] buffer = new byte[BaseMessages.MaxAnswerLength(dpr.Length, Peers.Eir)];
        AssertFailedAvp(buffer[..BaseMessages.WriteDpa(buffer, dpr, Peers.Eir, error)], ResultCodes.InvalidAvpValue, forged);

        static byte[] Dpr(params byte[][] avps) => TestAvp.Message(DiameterFlags.Request, CommandCodes.DisconnectPeer, 0, 31, 32, avps);
    }

    [Test]
    public void ECR_with_an_origin_host_that_is_no_diameter_identity_gets_5004()
    {
        byte[] bad = TestAvp.Utf8(AvpCodes.OriginHost, "mme\n.example");
        byte[] request = EcrBuilder.Valid().Replace("Origin-Host", bad).Build();
        Assert.That(S13Messages.TryParseEcr(request, out _, out ProtocolError error), Is.False);
        Assert.That((error.ResultCode, error.FailedAvpCode), Is.EqualTo((ResultCodes.InvalidAvpValue, AvpCodes.OriginHost)));
    }

    [Test]
    public void Invalid_message_length_answer_is_5015_with_the_request_ids_and_no_e_bit()
    {
        var request = new DiameterHeader(1, 0x3E, DiameterFlags.Request | DiameterFlags.Proxiable, CommandCodes.CapabilitiesExchange, 0, 0xAABBCCDD, 0x11223344);
        byte[] buffer = new byte[BaseMessages.MaxAnswerLength(0, Peers.Eir)];
        byte[] answer = buffer[..BaseMessages.WriteInvalidMessageLengthAnswer(buffer, request, Peers.Eir)];

        Assert.That(DiameterHeader.TryRead(answer, out DiameterHeader header), Is.True);
        Assert.That((header.IsRequest, header.IsProxiable, header.IsError, header.CommandCode, header.HopByHopId, header.EndToEndId, header.MessageLength),
            Is.EqualTo((false, true, false, CommandCodes.CapabilitiesExchange, 0xAABBCCDDu, 0x11223344u, answer.Length)));
        var avps = ReferenceAvpParser.MessageAvps(answer);
        Assert.That(avps.Single(AvpCodes.ResultCode).UInt32, Is.EqualTo(ResultCodes.InvalidMessageLength));
        Assert.That(avps.Single(AvpCodes.OriginHost).Text, Is.EqualTo("eir.localdomain"));
    }

    private static byte[] CeaFor(byte[] cer, in ProtocolError error)
    {
        byte[] buffer = new byte[BaseMessages.MaxAnswerLength(cer.Length, Peers.Eir)];
        return buffer[..BaseMessages.WriteCea(buffer, cer, Peers.Eir, error)];
    }

    private static byte[] DwaFor(byte[] dwr, in ProtocolError error)
    {
        byte[] buffer = new byte[BaseMessages.MaxAnswerLength(dwr.Length, Peers.Eir)];
        return buffer[..BaseMessages.WriteDwa(buffer, dwr, Peers.Eir, error)];
    }

    private static void AssertFailedAvp(byte[] answer, uint resultCode, byte[] failed)
    {
        var avps = ReferenceAvpParser.MessageAvps(answer);
        Assert.That(avps.Single(AvpCodes.ResultCode).UInt32, Is.EqualTo(resultCode));
        Assert.That(avps.Single(AvpCodes.FailedAvp).Data, Is.EqualTo(failed), "Failed-AVP holds the offending AVP");
        Assert.That(DiameterHeader.TryRead(answer, out DiameterHeader header) && !header.IsError && !header.IsRequest, Is.True);
    }
}
