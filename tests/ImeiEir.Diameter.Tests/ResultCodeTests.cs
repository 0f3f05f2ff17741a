namespace ImeiEir.Diameter.Tests;

/// <summary>One test per Result-Code the library produces: answer header, ids, Result-Code and Failed-AVP bytes.</summary>
public sealed class ResultCodeTests
{
    private const byte AnswerFlags = DiameterFlags.Proxiable;               // R cleared, P copied
    private const byte ProtocolErrorFlags = DiameterFlags.Proxiable | DiameterFlags.Error;

    [Test]
    public void Command_unsupported_3001_is_an_answer_message_with_the_E_bit()
    {
        byte[] request = EcrBuilder.Valid().Build();
        request[7] = 99; // command 324 -> 0x000163: not an S13 command

        Assert.That(S13Messages.TryParseEcr(request, out _, out ProtocolError error), Is.False);
        Assert.That(error.ResultCode, Is.EqualTo(ResultCodes.CommandUnsupported));

        byte[] answer = Write(request, (dest, req) => BaseMessages.WriteProtocolErrorAnswer(dest, req, Peers.Eir, ResultCodes.CommandUnsupported));
        var avps = AssertAnswer(answer, ProtocolErrorFlags, commandCode: 0x163, ResultCodes.CommandUnsupported, expectedFailedAvp: null);
        Assert.That(avps[0].Code, Is.EqualTo(AvpCodes.SessionId), "Session-Id first (RFC 6733 §7.2)");
        Assert.That(avps[0].Text, Is.EqualTo(EcrBuilder.SessionId));
        Assert.That(avps.Find(AvpCodes.AuthSessionState), Is.Null, "answer-message has no Auth-Session-State");
    }

    [Test]
    public void Application_unsupported_3007_is_an_answer_message_with_the_E_bit()
    {
        var builder = EcrBuilder.Valid();
        builder.Application = 4;
        byte[] request = builder.Build();

        Assert.That(S13Messages.TryParseEcr(request, out _, out ProtocolError error), Is.False);
        Assert.That(error.ResultCode, Is.EqualTo(ResultCodes.ApplicationUnsupported));

        byte[] answer = Write(request, (dest, req) => BaseMessages.WriteProtocolErrorAnswer(dest, req, Peers.Eir, ResultCodes.ApplicationUnsupported));
        AssertAnswer(answer, ProtocolErrorFlags, CommandCodes.MeIdentityCheck, ResultCodes.ApplicationUnsupported, null, application: 4);
    }

    [Test]
    public void Too_busy_3004_echoes_proxy_info_in_order()
    {
        byte[] proxy1 = ProxyInfo("dra1.example", "s1");
        byte[] proxy2 = ProxyInfo("dra2.example", "s2");
        byte[] request = EcrBuilder.Valid().Add("Proxy-Info 1", proxy1).Add("Route-Record", TestAvp.Utf8(AvpCodes.RouteRecord, "dra1.example"))
            .Add("Proxy-Info 2", proxy2).Build();

        byte[] answer = Write(request, (dest, req) => BaseMessages.WriteProtocolErrorAnswer(dest, req, Peers.Eir, ResultCodes.TooBusy));
        var avps = AssertAnswer(answer, ProtocolErrorFlags, CommandCodes.MeIdentityCheck, ResultCodes.TooBusy, null);
        Assert.That(avps.Where(a => a.Code == AvpCodes.ProxyInfo).Select(a => a.Raw), Is.EqualTo(new[] { proxy1, proxy2 }));
        Assert.That(avps.Find(AvpCodes.RouteRecord), Is.Null, "Route-Record is not echoed");
    }

    [TestCase(DiameterFlags.Request | DiameterFlags.Error, TestName = "InvalidHeaderBits3008_EBitOnARequest")]
    [TestCase(DiameterFlags.Request | 0x01, TestName = "InvalidHeaderBits3008_ReservedBit")]
    [TestCase(DiameterFlags.Proxiable, TestName = "InvalidHeaderBits3008_NotARequest")]
    public void Invalid_header_bits_3008(byte flags)
    {
        var builder = EcrBuilder.Valid();
        builder.Flags = flags;
        byte[] request = builder.Build();

        Assert.That(S13Messages.TryParseEcr(request, out _, out ProtocolError error), Is.False);
        Assert.That(error.ResultCode, Is.EqualTo(ResultCodes.InvalidHeaderBits));
        Assert.That(error.IsProtocolError, Is.True);

        byte[] answer = Peers.ErrorAnswer(request, error);
        byte expectedFlags = (byte)((flags & DiameterFlags.Proxiable) | DiameterFlags.Error);
        AssertAnswer(answer, expectedFlags, CommandCodes.MeIdentityCheck, ResultCodes.InvalidHeaderBits, null);
    }

    [Test]
    public void AVP_unsupported_5001_unknown_mandatory_top_level_AVP()
    {
        byte[] unknown = TestAvp.Utf8(99999, "what", AvpFlags.Mandatory);
        AssertRefused(EcrBuilder.Valid().Add("unknown", unknown), ResultCodes.AvpUnsupported, unknown);
    }

    [Test]
    public void AVP_unsupported_5001_unknown_mandatory_AVP_inside_terminal_information()
    {
        byte[] unknown = TestAvp.Utf8(1499, "x", AvpFlags.VendorMandatory, VendorIds.ThreeGpp);
        var builder = EcrBuilder.Valid().Replace("Terminal-Information", EcrBuilder.TerminalInformation(EcrBuilder.ImeiAvp, unknown));
        AssertRefused(builder, ResultCodes.AvpUnsupported, EcrBuilder.TerminalInformation(unknown));
    }

    [Test]
    public void AVP_unsupported_5001_IMEI_without_vendor_is_another_AVP()
    {
        byte[] imeiWithoutVendor = TestAvp.Utf8(AvpCodes.Imei, EcrBuilder.Imei, AvpFlags.Mandatory);
        var builder = EcrBuilder.Valid().Replace("Terminal-Information", EcrBuilder.TerminalInformation(imeiWithoutVendor));
        AssertRefused(builder, ResultCodes.AvpUnsupported, EcrBuilder.TerminalInformation(imeiWithoutVendor));
    }

    [Test]
    public void Unknown_AVP_without_mandatory_bit_is_ignored()
    {
        byte[] request = EcrBuilder.Valid().Add("unknown", TestAvp.Utf8(99999, "what", 0))
            .Replace("Terminal-Information", EcrBuilder.TerminalInformation(EcrBuilder.ImeiAvp, TestAvp.Utf8(1499, "x", AvpFlags.Vendor, VendorIds.ThreeGpp)))
            .Build();
        Assert.That(S13Messages.TryParseEcr(request, out EcrView ecr, out _), Is.True);
        Assert.That(ecr.Imei.ToArray(), Is.EqualTo("35209900176148"u8.ToArray()));
    }

    [Test]
    public void Invalid_AVP_value_5004_auth_session_state_out_of_range()
    {
        byte[] bad = TestAvp.U32(AvpCodes.AuthSessionState, 2);
        AssertRefused(EcrBuilder.Valid().Replace("Auth-Session-State", bad), ResultCodes.InvalidAvpValue, bad);
    }

    [TestCase("12ab5")]
    [TestCase("1234")]
    [TestCase("1234567890123456")]
    [TestCase("")]
    public void Invalid_AVP_value_5004_user_name_is_not_an_IMSI(string userName)
    {
        byte[] bad = TestAvp.Utf8(AvpCodes.UserName, userName);
        AssertRefused(EcrBuilder.Valid().Replace("User-Name", bad), ResultCodes.InvalidAvpValue, bad);
    }

    [Test]
    public void Invalid_AVP_value_5004_for_invalid_IMEI_copies_the_IMEI_inside_terminal_information()
    {
        byte[] imei = TestAvp.Tgpp(AvpCodes.Imei, "3520990017614X");
        byte[] request = EcrBuilder.Valid()
            .Replace("Terminal-Information", EcrBuilder.TerminalInformation(EcrBuilder.SoftwareVersionAvp, imei)).Build();

        Assert.That(S13Messages.TryParseEcr(request, out EcrView ecr, out _), Is.True, "IMEI digits are Core's business");
        ProtocolError error = ProtocolError.ForInvalidImei(ecr);
        Assert.That(error.ResultCode, Is.EqualTo(ResultCodes.InvalidAvpValue));
        Assert.That(error.FailedAvpCode, Is.EqualTo(AvpCodes.Imei));

        byte[] answer = Peers.ErrorAnswer(request, error);
        AssertAnswer(answer, AnswerFlags, CommandCodes.MeIdentityCheck, ResultCodes.InvalidAvpValue, EcrBuilder.TerminalInformation(imei));
    }

    [TestCase("Session-Id", AvpCodes.SessionId, 0)]
    [TestCase("Auth-Session-State", AvpCodes.AuthSessionState, 4)]
    [TestCase("Origin-Host", AvpCodes.OriginHost, 0)]
    [TestCase("Origin-Realm", AvpCodes.OriginRealm, 0)]
    [TestCase("Destination-Realm", AvpCodes.DestinationRealm, 0)]
    public void Missing_AVP_5005_zero_filled_example(string name, uint code, int dataLength)
    {
        byte[] example = TestAvp.Encode(code, AvpFlags.Mandatory, 0, new byte[dataLength]);
        AssertRefused(EcrBuilder.Valid().Without(name), ResultCodes.MissingAvp, example);
    }

    [Test]
    public void Missing_AVP_5005_terminal_information()
    {
        AssertRefused(EcrBuilder.Valid().Without("Terminal-Information"), ResultCodes.MissingAvp, EcrBuilder.TerminalInformation());
    }

    [Test]
    public void Missing_AVP_5005_IMEI_inside_terminal_information()
    {
        var builder = EcrBuilder.Valid().Replace("Terminal-Information", EcrBuilder.TerminalInformation(EcrBuilder.SoftwareVersionAvp));
        byte[] emptyImei = TestAvp.Encode(AvpCodes.Imei, AvpFlags.VendorMandatory, VendorIds.ThreeGpp, []);
        AssertRefused(builder, ResultCodes.MissingAvp, EcrBuilder.TerminalInformation(emptyImei));
    }

    [Test]
    public void Missing_AVP_5005_session_id_absent_answer_has_no_session_id()
    {
        byte[] request = EcrBuilder.Valid().Without("Session-Id").Build();
        S13Messages.TryParseEcr(request, out _, out ProtocolError error);
        var avps = ReferenceAvpParser.MessageAvps(Peers.ErrorAnswer(request, error));
        Assert.That(avps.Find(AvpCodes.SessionId), Is.Null);
        Assert.That(avps.Find(AvpCodes.AuthSessionState)?.UInt32, Is.EqualTo(1u), "5xxx answers are ECAs with Auth-Session-State");
    }

    [Test]
    public void AVP_occurs_too_many_times_5009_second_origin_host_in_failed_AVP()
    {
        byte[] second = TestAvp.Utf8(AvpCodes.OriginHost, "mme2.localdomain");
        AssertRefused(EcrBuilder.Valid().Add("Origin-Host 2", second), ResultCodes.AvpOccursTooManyTimes, second);
    }

    [Test]
    public void AVP_occurs_too_many_times_5009_second_IMEI_inside_terminal_information()
    {
        byte[] second = TestAvp.Tgpp(AvpCodes.Imei, "35123456000000");
        var builder = EcrBuilder.Valid().Replace("Terminal-Information", EcrBuilder.TerminalInformation(EcrBuilder.ImeiAvp, second));
        AssertRefused(builder, ResultCodes.AvpOccursTooManyTimes, EcrBuilder.TerminalInformation(second));
    }

    [Test]
    public void Invalid_AVP_length_5014_length_below_header_size_failed_AVP_holds_the_header()
    {
        // Destination-Host with AVP Length 4: under the 8-byte minimum. The message still delimits (4 bytes of data follow).
        byte[] bad = TestAvp.Encode(AvpCodes.DestinationHost, AvpFlags.Mandatory, 0, [0, 0, 0, 0], lengthOverride: 4);
        AssertRefused(EcrBuilder.Valid().Add("bad", bad), ResultCodes.InvalidAvpLength,
            TestAvp.Encode(AvpCodes.DestinationHost, AvpFlags.Mandatory, 0, []));
    }

    [Test]
    public void Invalid_AVP_length_5014_length_beyond_the_message()
    {
        byte[] bad = TestAvp.Encode(AvpCodes.DestinationHost, AvpFlags.Mandatory, 0, "host"u8.ToArray(), lengthOverride: 400);
        AssertRefused(EcrBuilder.Valid().Add("bad", bad), ResultCodes.InvalidAvpLength,
            TestAvp.Encode(AvpCodes.DestinationHost, AvpFlags.Mandatory, 0, []));
    }

    [Test]
    public void Invalid_AVP_length_5014_inside_terminal_information()
    {
        byte[] badImei = TestAvp.Encode(AvpCodes.Imei, AvpFlags.VendorMandatory, VendorIds.ThreeGpp, "3520"u8.ToArray(), lengthOverride: 10);
        var builder = EcrBuilder.Valid().Replace("Terminal-Information", EcrBuilder.TerminalInformation(badImei));
        AssertRefused(builder, ResultCodes.InvalidAvpLength,
            EcrBuilder.TerminalInformation(TestAvp.Encode(AvpCodes.Imei, AvpFlags.VendorMandatory, VendorIds.ThreeGpp, [])));
    }

    [Test]
    public void Invalid_AVP_length_5014_auth_session_state_of_five_bytes_copied_as_received()
    {
        byte[] bad = TestAvp.Encode(AvpCodes.AuthSessionState, AvpFlags.Mandatory, 0, [0, 0, 0, 0, 1]);
        AssertRefused(EcrBuilder.Valid().Replace("Auth-Session-State", bad), ResultCodes.InvalidAvpLength, bad);
    }

    [Test]
    public void No_common_application_5010_CEA()
    {
        // A CER advertising only Gx (16777238): no S13, no Relay.
        byte[] cer = TestAvp.Message(DiameterFlags.Request, CommandCodes.CapabilitiesExchange, 0, 9, 10,
        [
            TestAvp.Utf8(AvpCodes.OriginHost, "pcrf.example"),
            TestAvp.Utf8(AvpCodes.OriginRealm, "example"),
            TestAvp.U32(AvpCodes.AuthApplicationId, 16777238),
            TestAvp.Grouped(AvpCodes.VendorSpecificApplicationId, AvpFlags.Mandatory, 0,
                TestAvp.U32(AvpCodes.VendorId, VendorIds.ThreeGpp), TestAvp.U32(AvpCodes.AuthApplicationId, 16777238)),
        ]);

        Assert.That(BaseMessages.TryParseCer(cer, out CerView view, out _), Is.True);
        Assert.That(view.SupportsS13, Is.False);

        DiameterHeader cerHeader = view.Header;
        byte[] cea = Write(cer, (dest, req) => BaseMessages.WriteCea(dest, cerHeader, Peers.Eir, ResultCodes.NoCommonApplication));
        Assert.That(cea[4], Is.EqualTo(0), "no R, no P (the CER had none), no E: 5010 is not a protocol error");
        Assert.That(DiameterHeader.TryRead(cea, out DiameterHeader header) && header.HopByHopId == 9 && header.EndToEndId == 10);
        Assert.That(BaseMessages.TryParseCea(cea, out CeaView parsed), Is.True);
        Assert.That(parsed.ResultCode, Is.EqualTo(ResultCodes.NoCommonApplication));
        Assert.That(parsed.SupportsS13, Is.True, "we still advertise S13");
    }

    [Test]
    public void Missing_AVP_5005_CER_without_origin_host()
    {
        byte[] cer = TestAvp.Message(DiameterFlags.Request, CommandCodes.CapabilitiesExchange, 0, 9, 10,
            [TestAvp.Utf8(AvpCodes.OriginRealm, "example"), TestAvp.U32(AvpCodes.AuthApplicationId, ApplicationIds.S13)]);

        Assert.That(BaseMessages.TryParseCer(cer, out _, out ProtocolError error), Is.False);
        Assert.That(error.ResultCode, Is.EqualTo(ResultCodes.MissingAvp));

        byte[] cea = Write(cer, (dest, req) => BaseMessages.WriteCea(dest, req, Peers.Eir, error));
        var avps = ReferenceAvpParser.MessageAvps(cea);
        Assert.That(avps.Single(AvpCodes.ResultCode).UInt32, Is.EqualTo(ResultCodes.MissingAvp));
        Assert.That(avps.Single(AvpCodes.FailedAvp).Data, Is.EqualTo(TestAvp.Encode(AvpCodes.OriginHost, AvpFlags.Mandatory, 0, [])));
    }

    [Test]
    public void Equipment_unknown_5422_experimental_result_without_result_code()
    {
        byte[] request = EcrBuilder.Valid().Add("Proxy-Info", ProxyInfo("dra.example", "state")).Build();
        Assert.That(S13Messages.TryParseEcr(request, out EcrView ecr, out _), Is.True);
        byte[] buffer = new byte[BaseMessages.MaxAnswerLength(request.Length, Peers.Eir)];
        byte[] answer = buffer[..S13Messages.WriteEcaExperimental(buffer, request, ecr, Peers.Eir, ResultCodes.EquipmentUnknown)];

        var avps = AssertHeader(answer, AnswerFlags, CommandCodes.MeIdentityCheck, ApplicationIds.S13);
        Assert.That(avps.Find(AvpCodes.ResultCode), Is.Null);
        Assert.That(avps.Find(AvpCodes.EquipmentStatus), Is.Null);
        Assert.That(avps.Single(AvpCodes.ExperimentalResult).Data, Is.EqualTo(
            TestAvp.U32(AvpCodes.VendorId, VendorIds.ThreeGpp).Concat(TestAvp.U32(AvpCodes.ExperimentalResultCode, 5422)).ToArray()));
        Assert.That(avps.Single(AvpCodes.AuthSessionState).UInt32, Is.EqualTo(1u));
        Assert.That(avps.Single(AvpCodes.ProxyInfo).Raw, Is.EqualTo(ProxyInfo("dra.example", "state")));
    }

    private static byte[] ProxyInfo(string host, string state) =>
        TestAvp.Grouped(AvpCodes.ProxyInfo, AvpFlags.Mandatory, 0, TestAvp.Utf8(AvpCodes.ProxyHost, host), TestAvp.Utf8(AvpCodes.ProxyState, state));

    private delegate int AnswerWriter(Span<byte> dest, ReadOnlySpan<byte> request);

    private static byte[] Write(byte[] request, AnswerWriter write)
    {
        byte[] buffer = new byte[BaseMessages.MaxAnswerLength(request.Length, Peers.Eir)];
        return buffer[..write(buffer, request)];
    }

    // Parses the request expecting a refusal with resultCode and checks the ECA-format answer and its Failed-AVP.
    private static void AssertRefused(EcrBuilder builder, uint resultCode, byte[] expectedFailedAvp)
    {
        byte[] request = builder.Build();
        Assert.That(S13Messages.TryParseEcr(request, out _, out ProtocolError error), Is.False);
        Assert.That(error.ResultCode, Is.EqualTo(resultCode));
        Assert.That(error.IsProtocolError, Is.False);

        byte[] answer = Peers.ErrorAnswer(request, error);
        var avps = AssertAnswer(answer, AnswerFlags, CommandCodes.MeIdentityCheck, resultCode, expectedFailedAvp);
        Assert.That(avps.Find(AvpCodes.AuthSessionState)?.UInt32, Is.EqualTo(1u));
        Assert.That(avps.Find(AvpCodes.SessionId)?.Text, Is.EqualTo(EcrBuilder.SessionId).Or.Null);
    }

    private static IReadOnlyList<RefAvp> AssertAnswer(byte[] answer, byte flags, uint commandCode, uint resultCode, byte[]? expectedFailedAvp,
        uint application = ApplicationIds.S13)
    {
        var avps = AssertHeader(answer, flags, commandCode, application);
        Assert.That(avps.Single(AvpCodes.ResultCode).UInt32, Is.EqualTo(resultCode));
        Assert.That(avps.Single(AvpCodes.OriginHost).Text, Is.EqualTo("eir.localdomain"));
        Assert.That(avps.Single(AvpCodes.OriginRealm).Text, Is.EqualTo("localdomain"));
        if (expectedFailedAvp is null)
        {
            Assert.That(avps.Find(AvpCodes.FailedAvp), Is.Null);
        }
        else
        {
            Assert.That(Hex.Encode(avps.Single(AvpCodes.FailedAvp).Data), Is.EqualTo(Hex.Encode(expectedFailedAvp)));
        }

        return avps;
    }

    private static IReadOnlyList<RefAvp> AssertHeader(byte[] answer, byte flags, uint commandCode, uint application)
    {
        Assert.That(DiameterHeader.TryRead(answer, out DiameterHeader header), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(header.Version, Is.EqualTo(1));
            Assert.That(header.MessageLength, Is.EqualTo(answer.Length));
            Assert.That(header.Flags, Is.EqualTo(flags));
            Assert.That(header.CommandCode, Is.EqualTo(commandCode));
            Assert.That(header.ApplicationId, Is.EqualTo(application));
            Assert.That(header.HopByHopId, Is.EqualTo(EcrBuilder.HopByHop));
            Assert.That(header.EndToEndId, Is.EqualTo(EcrBuilder.EndToEnd));
        });
        return ReferenceAvpParser.MessageAvps(answer);
    }
}
