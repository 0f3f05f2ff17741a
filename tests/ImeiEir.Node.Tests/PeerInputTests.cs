using System.Buffers.Binary;
using System.Text;
using ImeiEir.Diameter;

namespace ImeiEir.Node.Tests;

/// <summary>
/// What a hostile or broken peer can send about itself and what it makes us write: forged identities (RFC 6733
/// §4.3.1), malformed DWRs and repeated CERs (§7.1.5), impossible lengths (5015), and the log lines all of it causes.
/// </summary>
[TestFixture]
public sealed class PeerInputTests
{
    private const string Forged = "mme.test\n2026-12-06T09:00:00 info: ImeiEir.Diameter[10] Diameter peer admin.operator up";
    private TestNode _node = null!;

    [SetUp]
    public void SetUp() => _node = new TestNode();

    [TearDown]
    public void TearDown() => _node.Dispose();

    [Test]
    public async Task A_cer_whose_origin_host_forges_a_log_line_gets_5004_with_failed_avp_and_the_log_stays_one_line_per_event()
    {
        await using PipePeer peer = _node.Connect();
        byte[] host = Avp(AvpCodes.OriginHost, Encoding.ASCII.GetBytes(Forged));
        await peer.SendAsync(Cer(host, Avp(AvpCodes.OriginRealm, "test"u8.ToArray())));

        byte[] cea = (await peer.ReceiveAsync())!;
        Assert.That(BaseMessages.TryParseCea(cea, out CeaView view), Is.True);
        Assert.That(view.ResultCode, Is.EqualTo(ResultCodes.InvalidAvpValue));
        Assert.That(view.FailedAvp.ToArray(), Is.EqualTo(host), "Failed-AVP carries the Origin-Host as received");
        Assert.That(await peer.ReceiveAsync(), Is.Null, "a refused CER closes the connection");
        peer.Connection.LogClosed();

        Assert.That(_node.Logs.Texts, Is.Not.Empty);
        Assert.That(_node.Logs.Texts.Where(t => t.Contains('\n') || t.Contains('\r')), Is.Empty, "no raw line break from the peer");
        Assert.That(_node.Logs.Texts.Any(t => t.Contains(@"mme.test\n2026-12-06T09:00:00 info:", StringComparison.Ordinal)), Is.True,
            "the peer's text is shown, escaped: " + string.Join(" | ", _node.Logs.Texts));
        Assert.That(_node.Logs.Texts.Any(t => t.Contains("Diameter peer admin.operator up") && !t.Contains(@"\n")), Is.False);
    }

    [Test]
    public async Task Nul_bytes_in_origin_host_are_refused_and_logged_escaped()
    {
        await using PipePeer peer = _node.Connect();
        await peer.SendAsync(Cer(Avp(AvpCodes.OriginHost, "mme\0\0.test"u8.ToArray()), Avp(AvpCodes.OriginRealm, "test"u8.ToArray())));

        Assert.That(ResultOf((await peer.ReceiveAsync())!), Is.EqualTo(ResultCodes.InvalidAvpValue));
        Assert.That(await peer.ReceiveAsync(), Is.Null);
        Assert.That(_node.Logs.Texts.Any(t => t.Contains('\0')), Is.False, "no raw NUL in the log");
        Assert.That(_node.Logs.Texts.Any(t => t.Contains(@"mme\x00\x00.test", StringComparison.Ordinal)), Is.True);
    }

    [Test]
    public async Task A_dwr_with_an_avp_shorter_than_8_bytes_gets_5014_and_the_connection_stays()
    {
        await using PipePeer peer = _node.Connect();
        await peer.HandshakeAsync();
        byte[] tooShort = Avp(AvpCodes.OriginStateId, [0, 0, 0, 1], lengthOverride: 6);
        await peer.SendAsync(Message(CommandCodes.DeviceWatchdog, 77, PipePeer.Mme.OriginAvps.ToArray(), tooShort));

        byte[] dwa = (await peer.ReceiveAsync())!;
        Assert.That(DiameterHeader.TryRead(dwa, out DiameterHeader header) && header.CommandCode == CommandCodes.DeviceWatchdog && header.HopByHopId == 77, Is.True);
        Assert.That(ResultOf(dwa), Is.EqualTo(ResultCodes.InvalidAvpLength));
        await AssertStillServedAsync(peer);
    }

    [Test]
    public async Task A_dwr_with_an_unknown_mandatory_avp_gets_5001_and_the_connection_stays()
    {
        await using PipePeer peer = _node.Connect();
        await peer.HandshakeAsync();
        byte[] unknown = Avp(99999, "what"u8.ToArray());
        await peer.SendAsync(Message(CommandCodes.DeviceWatchdog, 78, PipePeer.Mme.OriginAvps.ToArray(), unknown));

        byte[] dwa = (await peer.ReceiveAsync())!;
        Assert.That(ResultOf(dwa), Is.EqualTo(ResultCodes.AvpUnsupported));
        Assert.That(FailedAvpOf(dwa), Is.EqualTo(unknown));
        await AssertStillServedAsync(peer);
    }

    [Test]
    public async Task A_repeated_cer_with_an_avp_shorter_than_8_bytes_gets_5014_and_the_connection_stays()
    {
        await using PipePeer peer = _node.Connect();
        await peer.HandshakeAsync();
        await peer.SendAsync(peer.Cer()); // a well-formed repeat is still 2001
        Assert.That(ResultOf((await peer.ReceiveAsync())!), Is.EqualTo(ResultCodes.Success));

        await peer.SendAsync(Cer(PipePeer.Mme.OriginAvps.ToArray(), Avp(AvpCodes.ProductName, [], lengthOverride: 4)));
        Assert.That(ResultOf((await peer.ReceiveAsync())!), Is.EqualTo(ResultCodes.InvalidAvpLength));
        await AssertStillServedAsync(peer);
    }

    [Test]
    public async Task A_repeated_cer_with_an_unknown_mandatory_avp_gets_5001_and_the_connection_stays()
    {
        await using PipePeer peer = _node.Connect();
        await peer.HandshakeAsync();
        byte[] unknown = Avp(99999, "what"u8.ToArray());
        await peer.SendAsync(Cer(PipePeer.Mme.OriginAvps.ToArray(), unknown));

        byte[] cea = (await peer.ReceiveAsync())!;
        Assert.That(ResultOf(cea), Is.EqualTo(ResultCodes.AvpUnsupported));
        Assert.That(FailedAvpOf(cea), Is.EqualTo(unknown));
        await AssertStillServedAsync(peer);
    }

    [Test]
    public async Task A_dpr_without_disconnect_cause_gets_5005_and_the_connection_stays()
    {
        await using PipePeer peer = _node.Connect();
        await peer.HandshakeAsync();
        await peer.SendAsync(Message(CommandCodes.DisconnectPeer, 79, PipePeer.Mme.OriginAvps.ToArray()));

        byte[] dpa = (await peer.ReceiveAsync())!;
        Assert.That(DiameterHeader.TryRead(dpa, out DiameterHeader header) && header.CommandCode == CommandCodes.DisconnectPeer, Is.True);
        Assert.That(ResultOf(dpa), Is.EqualTo(ResultCodes.MissingAvp));
        await AssertStillServedAsync(peer);
    }

    [TestCase(22)]
    [TestCase(12)]
    public async Task A_request_whose_length_is_impossible_gets_5015_then_the_connection_closes(int length)
    {
        await using PipePeer peer = _node.Connect();
        await peer.HandshakeAsync();
        byte[] dwr = peer.Dwr();
        dwr[1] = 0;
        dwr[2] = (byte)(length >> 8);
        dwr[3] = (byte)length;
        await peer.SendAsync(dwr);

        byte[] answer = (await peer.ReceiveAsync())!;
        Assert.That(DiameterHeader.TryRead(answer, out DiameterHeader header), Is.True);
        Assert.That((header.IsRequest, header.IsError, header.CommandCode, header.HopByHopId),
            Is.EqualTo((false, false, CommandCodes.DeviceWatchdog, peer.LastHopByHop)));
        Assert.That(ResultOf(answer), Is.EqualTo(ResultCodes.InvalidMessageLength));
        Assert.That(await peer.ReceiveAsync(), Is.Null, "the stream cannot be delimited after it");
    }

    [Test, CancelAfter(60_000)]
    public async Task A_thousand_bad_version_connections_from_one_address_write_a_bounded_log_and_a_summary()
    {
        const int connections = 1000;
        for (int i = 0; i < connections; i++)
        {
            await using PipePeer peer = _node.Connect(id: $"c{i}", remote: $"127.0.0.1:{20000 + i}");
            await peer.SendAsync(new byte[] { 7, 0, 0, 20, 0x80, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1 });
            Assert.That(await peer.ReceiveAsync(), Is.Null);
            await peer.Running;
            peer.Connection.LogClosed();
        }

        // Two lines per connection before the limit (the violation and the close); a few per kind after it.
        int lines = _node.Logs.Lines.Count;
        Assert.That(lines, Is.LessThanOrEqualTo(2 * 5), string.Join("\n", _node.Logs.Texts.Take(20)));
        Assert.That(_node.Logs.Texts.Count(t => t.Contains("BadVersion")), Is.GreaterThan(0), "the first ones are told");

        // The next line allowed for the address brings the count of what was held back.
        _node.Time.Advance(TimeSpan.FromMinutes(1));
        await using (PipePeer last = _node.Connect(id: "last", remote: "127.0.0.1:40000"))
        {
            await last.SendAsync(new byte[] { 7, 0, 0, 20, 0x80, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1 });
            Assert.That(await last.ReceiveAsync(), Is.Null);
        }
        Assert.That(_node.Logs.Texts, Has.Some.Contains($"{connections - 5} more like this from 127.0.0.1 suppressed"));
    }

    private async Task AssertStillServedAsync(PipePeer peer)
    {
        await peer.SendAsync(peer.Ecr(TestNode.White, TestNode.HomeImsi));
        byte[] eca = (await peer.ReceiveAsync())!;
        Assert.That(S13Messages.TryParseEca(eca, out EcaView view) && view.ResultCode == ResultCodes.Success, Is.True, "the connection still answers ECRs");
        Assert.That(peer.Running.IsCompleted, Is.False);
    }

    private static uint ResultOf(byte[] answer)
    {
        Assert.That(BaseMessages.TryGetResultCode(answer, out uint code), Is.True, "answer has a Result-Code");
        return code;
    }

    private static byte[] FailedAvpOf(byte[] answer)
    {
        int offset = 20;
        while (offset + 8 <= answer.Length)
        {
            uint code = BinaryPrimitives.ReadUInt32BigEndian(answer.AsSpan(offset));
            int length = (int)(BinaryPrimitives.ReadUInt32BigEndian(answer.AsSpan(offset + 4)) & 0xFFFFFF);
            if (code == AvpCodes.FailedAvp)
                return answer.AsSpan(offset + 8, length - 8).ToArray();
            offset += (length + 3) & ~3;
        }
        throw new AssertionException("no Failed-AVP");
    }

    private static byte[] Cer(params byte[][] avps)
    {
        byte[] s13 = Avp(AvpCodes.AuthApplicationId, [0x01, 0x00, 0x00, 0x24]); // 16777252
        return Message(CommandCodes.CapabilitiesExchange, 900, [.. avps.SelectMany(a => a), .. s13]);
    }

    private static byte[] Message(uint command, uint hopByHop, params byte[][] avps)
    {
        byte[] body = [.. avps.SelectMany(a => a)];
        byte[] message = new byte[20 + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(message, (1u << 24) | (uint)message.Length);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(4), (uint)DiameterFlags.Request << 24 | command);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(12), hopByHop);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(16), hopByHop);
        body.CopyTo(message, 20);
        return message;
    }

    // An AVP without the V bit, M set, padded; lengthOverride writes a wrong AVP Length.
    private static byte[] Avp(uint code, byte[] data, int? lengthOverride = null)
    {
        byte[] avp = new byte[(8 + data.Length + 3) & ~3];
        BinaryPrimitives.WriteUInt32BigEndian(avp, code);
        BinaryPrimitives.WriteUInt32BigEndian(avp.AsSpan(4), (uint)AvpFlags.Mandatory << 24 | (uint)(lengthOverride ?? 8 + data.Length));
        data.CopyTo(avp, 8);
        return avp;
    }
}
