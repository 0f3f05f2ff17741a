using System.Buffers;
using System.Net;

namespace ImeiEir.Diameter.Tests;

/// <summary>Named cases for the header, frame scanner, writer, identity and capability exchange.</summary>
public sealed class CodecTests
{
    [Test]
    public void Header_write_then_read_keeps_every_field()
    {
        var header = new DiameterHeader(1, 0x123454, 0xC0, 0xABCDEF, 16777252, 0xDEADBEEF, 0x01020304);
        byte[] bytes = new byte[20];
        header.WriteTo(bytes);

        Assert.That(Hex.Encode(bytes), Is.EqualTo("01123454c0abcdef01000024deadbeef01020304"));
        Assert.That(DiameterHeader.TryRead(bytes, out DiameterHeader read), Is.True);
        Assert.That((read.Flags, read.CommandCode, read.MessageLength, read.IsRequest, read.IsProxiable, read.IsError, read.HasReservedBits),
            Is.EqualTo(((byte)0xC0, 0xABCDEFu, 0x123454, true, true, false, false)));
        Assert.That(DiameterHeader.TryRead(bytes.AsSpan(0, 19), out _), Is.False);
    }

    [TestCase("02000014", FrameError.BadVersion)]
    [TestCase("01000010", FrameError.LengthTooSmall)]
    [TestCase("01000016", FrameError.LengthNotMultipleOf4)]
    [TestCase("01010000", FrameError.LengthTooLarge)]
    public void Frame_scanner_rejects_a_bad_header_before_the_body_arrives(string firstWord, FrameError expected)
    {
        byte[] headerOnly = Hex.Decode(firstWord + "80000118000000000000000100000001");
        Assert.That(FrameScanner.TryScan(new ReadOnlySequence<byte>(headerOnly), 4096, out _, out FrameError error), Is.EqualTo(FrameStatus.Invalid));
        Assert.That(error, Is.EqualTo(expected));
    }

    [Test]
    public void Frame_scanner_header_straddling_five_segments()
    {
        byte[] ecr = Hex.LoadTestData("ecr.hex");
        ReadOnlySequence<byte> sequence = Segments.Split(ecr, [1, 5, 9, 19, 21]);

        Assert.That(FrameScanner.TryScan(sequence, 4096, out DiameterHeader header, out _), Is.EqualTo(FrameStatus.Complete));
        Assert.That(header.MessageLength, Is.EqualTo(ecr.Length));
        Assert.That(FrameScanner.TryScan(sequence.Slice(0, 20), 4096, out header, out _), Is.EqualTo(FrameStatus.NeedMoreData));
        Assert.That(header.MessageLength, Is.EqualTo(ecr.Length), "the header is known as soon as 20 bytes are in");
    }

    [Test]
    public void Writer_pads_AVPs_and_patches_grouped_and_message_lengths()
    {
        byte[] buffer = Enumerable.Repeat((byte)0xEE, 128).ToArray(); // dirty, like a pooled span
        var writer = new MessageWriter(buffer);
        writer.WriteHeader(DiameterFlags.Request, 1, 2, 3, 4);
        int group = writer.BeginGrouped(1401, AvpFlags.VendorMandatory, 10415);
        writer.WriteAvp(1402, AvpFlags.VendorMandatory, 10415, "12345"u8);
        writer.EndGrouped(group);
        writer.WriteUInt64Avp(7, 0, 0, 0x0102030405060708);
        writer.WriteAddressAvp(257, AvpFlags.Mandatory, IPAddress.Parse("10.0.0.1"));
        int length = writer.Finish();

        Assert.That(Hex.Encode(buffer.AsSpan(0, length)), Is.EqualTo(
            "01000054" + "80000001" + "00000002" + "00000003" + "00000004"
            + "00000579c0000020000028af" + "0000057ac0000011000028af" + "3132333435000000"
            + "00000007" + "00000010" + "0102030405060708"
            + "00000101" + "4000000e" + "00010a000001" + "0000"));
        Assert.That(length, Is.EqualTo(0x54));
    }

    [Test]
    public void Writer_throws_when_the_destination_is_too_small()
    {
        Assert.Throws<ArgumentException>(() =>
        {
            var writer = new MessageWriter(new byte[24]);
            writer.WriteHeader(0, 1, 2, 3, 4);
            writer.WriteUInt32Avp(1, 0, 0, 5);
        });
    }

    [Test]
    public void Writer_IPv6_address()
    {
        byte[] buffer = new byte[64];
        var writer = new MessageWriter(buffer);
        writer.WriteAddressAvp(257, AvpFlags.Mandatory, IPAddress.IPv6Loopback);
        Assert.That(Hex.Encode(buffer.AsSpan(0, writer.Position)), Is.EqualTo("000001014000001a0002" + "00000000000000000000000000000001" + "0000"));
    }

    [Test]
    public void Local_identity_capability_AVPs_are_the_RFC_6733_set()
    {
        var id = new LocalIdentity("eir.example", "example", IPAddress.Parse("192.0.2.1"), "ImeiEir", originStateId: 5, firmwareRevision: 3);
        var avps = ReferenceAvpParser.Parse(id.CapabilityAvps.ToArray()).Avps;

        Assert.That(avps.Select(a => a.Code), Is.EqualTo(new uint[] { 257, 266, 269, 278, 265, 260, 267 }));
        Assert.That(avps.Single(AvpCodes.VendorId).UInt32, Is.EqualTo(0u));
        Assert.That(avps.Single(AvpCodes.ProductName).Flags & AvpFlags.Mandatory, Is.EqualTo(0), "Product-Name MUST NOT have M");
        Assert.That(avps.Single(AvpCodes.FirmwareRevision).Flags & AvpFlags.Mandatory, Is.EqualTo(0), "Firmware-Revision MUST NOT have M");
        var vsai = avps.Single(AvpCodes.VendorSpecificApplicationId).Children;
        Assert.That((vsai.Single(AvpCodes.VendorId).UInt32, vsai.Single(AvpCodes.AuthApplicationId).UInt32), Is.EqualTo((10415u, 16777252u)));
        Assert.That(Hex.Encode(id.OriginAvps.Span), Is.EqualTo("0000010840000013" + "6569722e6578616d706c6500" + "000001284000000f" + "6578616d706c6500"));
    }

    [TestCase("auth-top", true)]
    [TestCase("vsai", true)]
    [TestCase("relay-auth", true)]
    [TestCase("relay-acct", true)]
    [TestCase("s13-as-acct", false)]
    [TestCase("none", false)]
    public void CER_supports_S13(string how, bool expected)
    {
        byte[][] apps = how switch
        {
            "auth-top" => [TestAvp.U32(AvpCodes.AuthApplicationId, ApplicationIds.S13)],
            "vsai" => [TestAvp.Grouped(AvpCodes.VendorSpecificApplicationId, AvpFlags.Mandatory, 0,
                TestAvp.U32(AvpCodes.VendorId, VendorIds.ThreeGpp), TestAvp.U32(AvpCodes.AuthApplicationId, ApplicationIds.S13))],
            "relay-auth" => [TestAvp.U32(AvpCodes.AuthApplicationId, ApplicationIds.Relay)],
            "relay-acct" => [TestAvp.U32(AvpCodes.AcctApplicationId, ApplicationIds.Relay)],
            "s13-as-acct" => [TestAvp.U32(AvpCodes.AcctApplicationId, ApplicationIds.S13)],
            _ => [TestAvp.U32(AvpCodes.AuthApplicationId, 4)],
        };
        byte[] cer = TestAvp.Message(DiameterFlags.Request, CommandCodes.CapabilitiesExchange, 0, 1, 2,
            [TestAvp.Utf8(AvpCodes.OriginHost, "mme.example"), TestAvp.Utf8(AvpCodes.OriginRealm, "example"),
             TestAvp.U32(AvpCodes.OriginStateId, 42), TestAvp.Utf8(9999, "vendor stuff", 0), .. apps]);

        Assert.That(BaseMessages.TryParseCer(cer, out CerView view, out ProtocolError error), Is.True, error.ToString());
        Assert.That(view.SupportsS13, Is.EqualTo(expected));
        Assert.That(view.OriginStateId, Is.EqualTo(42u));
    }

    [Test]
    public void ECR_session_id_not_first_is_accepted()
    {
        var builder = EcrBuilder.Valid();
        byte[] session = builder.Get("Session-Id");
        byte[] request = builder.Without("Session-Id").Add("Session-Id", session).Build();
        Assert.That(S13Messages.TryParseEcr(request, out EcrView ecr, out _), Is.True);
        Assert.That(System.Text.Encoding.ASCII.GetString(ecr.SessionId), Is.EqualTo(EcrBuilder.SessionId));
    }

    [Test]
    public void ECR_without_user_name_is_accepted()
    {
        byte[] request = EcrBuilder.Valid().Without("User-Name").Build();
        Assert.That(S13Messages.TryParseEcr(request, out EcrView ecr, out _), Is.True);
        Assert.That(ecr.HasUserName, Is.False);
        Assert.That(ecr.UserName.IsEmpty);
    }

    [Test]
    public void ECA_echoes_proxy_info_in_order_after_equipment_status()
    {
        byte[] p1 = TestAvp.Grouped(AvpCodes.ProxyInfo, AvpFlags.Mandatory, 0, TestAvp.Utf8(AvpCodes.ProxyHost, "a"), TestAvp.Utf8(AvpCodes.ProxyState, "1"));
        byte[] p2 = TestAvp.Grouped(AvpCodes.ProxyInfo, AvpFlags.Mandatory, 0, TestAvp.Utf8(AvpCodes.ProxyHost, "b"), TestAvp.Utf8(AvpCodes.ProxyState, "2"));
        byte[] request = EcrBuilder.Valid().Add("p1", p1).Add("p2", p2).Build();
        Assert.That(S13Messages.TryParseEcr(request, out EcrView ecr, out _), Is.True);

        byte[] buffer = new byte[BaseMessages.MaxAnswerLength(request.Length, Peers.Eir)];
        byte[] answer = buffer[..S13Messages.WriteEca(buffer, request, ecr, Peers.Eir, 1)];
        var avps = ReferenceAvpParser.MessageAvps(answer);

        Assert.That(avps.Select(a => a.Code), Is.EqualTo(new uint[] { 263, 260, 268, 277, 264, 296, 1445, 284, 284 }));
        Assert.That(avps.Where(a => a.Code == AvpCodes.ProxyInfo).Select(a => a.Raw), Is.EqualTo(new[] { p1, p2 }));
        var status = avps.Single(AvpCodes.EquipmentStatus);
        Assert.That((status.Flags, status.VendorId, status.UInt32), Is.EqualTo((AvpFlags.VendorMandatory, VendorIds.ThreeGpp, 1u)));
    }

    [Test]
    public void Write_error_request_shorter_than_a_header_throws()
    {
        Assert.Throws<ArgumentException>(() =>
            S13Messages.WriteError(new byte[512], new byte[10], Peers.Eir, ProtocolError.FromResultCode(ResultCodes.InvalidMessageLength)));
    }
}
