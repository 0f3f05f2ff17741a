using ImeiEir.Core;
using ImeiEir.Diameter;
using ImeiEir.Node.Configuration;
using ImeiEir.Store;

namespace ImeiEir.Node.Tests;

[TestFixture]
public sealed class DiameterConnectionTests
{
    private TestNode _node = null!;

    [SetUp]
    public void SetUp() => _node = new TestNode();

    [TearDown]
    public void TearDown() => _node.Dispose();

    private static DiameterHeader Header(byte[] message)
    {
        Assert.That(DiameterHeader.TryRead(message, out DiameterHeader header), Is.True);
        return header;
    }

    private static int StatusOf(byte[] eca)
    {
        Assert.That(S13Messages.TryParseEca(eca, out EcaView view), Is.True, "ECA parses");
        Assert.That(view.ResultCode, Is.EqualTo(ResultCodes.Success));
        Assert.That(view.HasAuthSessionState, Is.True, "real peers drop an ECA without Auth-Session-State");
        return view.EquipmentStatus;
    }

    [Test]
    public async Task Ecr_after_cer_is_answered_from_the_store()
    {
        await using PipePeer peer = _node.Connect();
        await peer.HandshakeAsync();

        await peer.SendAsync(peer.Ecr(TestNode.White, TestNode.HomeImsi));
        Assert.That(StatusOf((await peer.ReceiveAsync())!), Is.EqualTo((int)EquipmentStatus.Whitelisted));
        await peer.SendAsync(peer.Ecr(TestNode.Black, TestNode.HomeImsi));
        Assert.That(StatusOf((await peer.ReceiveAsync())!), Is.EqualTo((int)EquipmentStatus.Blacklisted));
        await peer.SendAsync(peer.Ecr(TestNode.Grey, TestNode.HomeImsi));
        Assert.That(StatusOf((await peer.ReceiveAsync())!), Is.EqualTo((int)EquipmentStatus.Greylisted));
    }

    [Test]
    public async Task Pipelined_ecrs_in_one_write_are_answered_in_order()
    {
        await using PipePeer peer = _node.Connect();
        await peer.HandshakeAsync();

        string[] imeis = [TestNode.White, TestNode.Black, TestNode.Grey];
        var batch = new List<byte>();
        var expectedHops = new List<uint>();
        for (int i = 0; i < 300; i++)
        {
            batch.AddRange(peer.Ecr(imeis[i % 3], TestNode.HomeImsi));
            expectedHops.Add(peer.LastHopByHop);
        }
        await peer.SendAsync(batch.ToArray());

        for (int i = 0; i < 300; i++)
        {
            byte[] eca = (await peer.ReceiveAsync())!;
            Assert.That(Header(eca).HopByHopId, Is.EqualTo(expectedHops[i]), $"answer {i} out of order");
            Assert.That(StatusOf(eca), Is.EqualTo(new[] { 0, 1, 2 }[i % 3]));
        }
    }

    [Test]
    public async Task A_pipelined_write_mixing_bad_ecrs_and_other_commands_is_answered_frame_by_frame()
    {
        // The connection prefetches the lookups of every frame after the first before answering any: frames that are
        // not well-formed ECRs must still get their own answers, in order, and the good ECRs around them theirs.
        await using PipePeer peer = _node.Connect();
        await peer.HandshakeAsync();

        var batch = new List<byte>();
        var expected = new List<(uint Hop, string What)>();
        void Add(byte[] frame, string what)
        {
            batch.AddRange(frame);
            expected.Add((peer.LastHopByHop, what));
        }
        for (int i = 0; i < 12; i++)
        {
            Add(peer.Ecr(TestNode.Black, TestNode.HomeImsi), "black");
            Add(peer.Ecr("12AB"), "5004");
            Add(peer.Dwr(), "dwa");
            Add(peer.BareRequest(ApplicationIds.S13, 999), "3001");
            Add(peer.Ecr(TestNode.White, TestNode.HomeImsi), "white");
        }
        await peer.SendAsync(batch.ToArray());

        foreach ((uint hop, string what) in expected)
        {
            byte[] answer = (await peer.ReceiveAsync())!;
            DiameterHeader header = Header(answer);
            Assert.That(header.HopByHopId, Is.EqualTo(hop), $"{what}: out of order");
            switch (what)
            {
                case "black": Assert.That(StatusOf(answer), Is.EqualTo((int)EquipmentStatus.Blacklisted)); break;
                case "white": Assert.That(StatusOf(answer), Is.EqualTo((int)EquipmentStatus.Whitelisted)); break;
                case "dwa": Assert.That(header.CommandCode, Is.EqualTo(CommandCodes.DeviceWatchdog)); break;
                case "5004":
                    Assert.That(S13Messages.TryParseEca(answer, out EcaView bad), Is.True);
                    Assert.That(bad.ResultCode, Is.EqualTo(ResultCodes.InvalidAvpValue));
                    break;
                case "3001": Assert.That(header.IsError, Is.True, "3001 with the E bit"); break;
            }
        }
    }

    [Test]
    public async Task A_request_arriving_one_byte_at_a_time_is_answered()
    {
        await using PipePeer peer = _node.Connect();
        await peer.SendByteByByteAsync(peer.Cer());
        Assert.That(BaseMessages.TryGetResultCode((await peer.ReceiveAsync())!, out uint cea) && cea == ResultCodes.Success);

        await peer.SendByteByByteAsync(peer.Ecr(TestNode.Black, TestNode.HomeImsi));
        Assert.That(StatusOf((await peer.ReceiveAsync())!), Is.EqualTo((int)EquipmentStatus.Blacklisted));
    }

    [Test]
    public async Task A_garbage_stream_closes_its_own_connection_and_no_other()
    {
        await using PipePeer healthy = _node.Connect(id: "healthy");
        await using PipePeer garbage = _node.Connect(id: "garbage");
        await healthy.HandshakeAsync();
        await garbage.HandshakeAsync();

        byte[] junk = new byte[64];
        new Random(42).NextBytes(junk);
        junk[0] = 7; // not version 1: the frame cannot be delimited
        await garbage.SendAsync(junk);

        Assert.That(await garbage.ReceiveAsync(), Is.Null, "the garbage connection is closed");
        Assert.That(garbage.Running.Wait(TimeSpan.FromSeconds(5)), Is.True);
        Assert.That(garbage.Connection.CloseReason, Does.Contain("undelimitable"));

        await healthy.SendAsync(healthy.Ecr(TestNode.White, TestNode.HomeImsi));
        Assert.That(StatusOf((await healthy.ReceiveAsync())!), Is.EqualTo((int)EquipmentStatus.Whitelisted));
        Assert.That(healthy.Running.IsCompleted, Is.False);
    }

    [Test]
    public async Task A_frame_longer_than_the_maximum_closes_the_connection()
    {
        await using PipePeer peer = _node.Connect();
        await peer.HandshakeAsync();
        byte[] header = peer.Ecr(TestNode.White)[..20];
        int tooLong = _node.Options.MaxMessageSize + 4;
        header[1] = (byte)(tooLong >> 16);
        header[2] = (byte)(tooLong >> 8);
        header[3] = (byte)tooLong;
        await peer.SendAsync(header); // rejected on the header alone, before any body arrives

        Assert.That(await peer.ReceiveAsync(), Is.Null);
        Assert.That(peer.Connection.CloseReason, Does.Contain(nameof(FrameError.LengthTooLarge)));
    }

    [Test]
    public async Task Anything_before_cer_closes_the_connection()
    {
        await using PipePeer peer = _node.Connect();
        await peer.SendAsync(peer.Ecr(TestNode.White));
        Assert.That(await peer.ReceiveAsync(), Is.Null);
        Assert.That(peer.Connection.CloseReason, Does.Contain("before CER"));
    }

    [Test]
    public async Task Cer_without_s13_gets_5010_and_the_connection_closes()
    {
        await using PipePeer peer = _node.Connect();
        byte[] cer = BuildCerWithApplication(ApplicationIds.Common + 4); // only Credit-Control (4)
        await peer.SendAsync(cer);

        byte[] cea = (await peer.ReceiveAsync())!;
        Assert.That(BaseMessages.TryGetResultCode(cea, out uint code), Is.True);
        Assert.That(code, Is.EqualTo(ResultCodes.NoCommonApplication));
        Assert.That(await peer.ReceiveAsync(), Is.Null, "closed after CEA 5010");
    }

    [Test]
    public async Task Unknown_application_gets_3007_with_the_e_bit()
    {
        await using PipePeer peer = _node.Connect();
        await peer.HandshakeAsync();
        await peer.SendAsync(peer.BareRequest(16777251 /* S6a */, 316));
        byte[] answer = (await peer.ReceiveAsync())!;
        Assert.That(BaseMessages.TryGetResultCode(answer, out uint code) && code == ResultCodes.ApplicationUnsupported);
        Assert.That(Header(answer).IsError, Is.True);
        Assert.That(Header(answer).IsRequest, Is.False);
    }

    [Test]
    public async Task Unknown_s13_command_gets_3001_with_the_e_bit()
    {
        await using PipePeer peer = _node.Connect();
        await peer.HandshakeAsync();
        await peer.SendAsync(peer.BareRequest(ApplicationIds.S13, 325));
        byte[] answer = (await peer.ReceiveAsync())!;
        Assert.That(BaseMessages.TryGetResultCode(answer, out uint code) && code == ResultCodes.CommandUnsupported);
        Assert.That(Header(answer).IsError, Is.True);
    }

    [Test]
    public async Task Malformed_imei_gets_5004_and_the_connection_stays()
    {
        await using PipePeer peer = _node.Connect();
        await peer.HandshakeAsync();
        await peer.SendAsync(peer.Ecr("12AB"));
        byte[] answer = (await peer.ReceiveAsync())!;
        Assert.That(S13Messages.TryParseEca(answer, out EcaView view), Is.True);
        Assert.That(view.ResultCode, Is.EqualTo(ResultCodes.InvalidAvpValue));
        Assert.That(view.EquipmentStatus, Is.EqualTo(-1));

        await peer.SendAsync(peer.Ecr(TestNode.White));
        Assert.That(StatusOf((await peer.ReceiveAsync())!), Is.EqualTo(0));
    }

    [Test]
    public async Task Unknown_imei_becomes_provisional_grey_with_a_deadline_one_grace_period_away()
    {
        await using PipePeer peer = _node.Connect();
        await peer.HandshakeAsync();
        const string unknown = "35000011234567";
        await peer.SendAsync(peer.Ecr(unknown, TestNode.HomeImsi));
        Assert.That(StatusOf((await peer.ReceiveAsync())!), Is.EqualTo((int)EquipmentStatus.Greylisted));

        using ImeiStoreSession session = _node.Store.NewSession();
        Assert.That(session.TryGet(Imei.Parse(unknown), out ImeiRecord record), Is.True, "the provisional record is kept");
        Assert.That(record.List, Is.EqualTo(ListKind.Grey));
        Assert.That(record.DeadlineUnixSeconds, Is.EqualTo((uint)TestNode.Start.AddDays(30).ToUnixTimeSeconds()));

        // A later attach, a day on (on a new connection: a day of silence kills the old one), keeps the deadline.
        _node.Time.Advance(TimeSpan.FromDays(1));
        await using PipePeer later = _node.Connect(id: "next-day");
        await later.HandshakeAsync();
        await later.SendAsync(later.Ecr(unknown, TestNode.HomeImsi));
        Assert.That(StatusOf((await later.ReceiveAsync())!), Is.EqualTo((int)EquipmentStatus.Greylisted));
        session.TryGet(Imei.Parse(unknown), out ImeiRecord again);
        Assert.That(again.DeadlineUnixSeconds, Is.EqualTo(record.DeadlineUnixSeconds));
    }

    [Test]
    public async Task Unknown_imei_with_equipment_unknown_configured_gets_experimental_5422()
    {
        using var node = new TestNode(policy: new PolicyOptions { UnknownAnswer = UnknownAnswer.EquipmentUnknown });
        await using PipePeer peer = node.Connect();
        await peer.HandshakeAsync();
        await peer.SendAsync(peer.Ecr("35000011234567", TestNode.HomeImsi));
        Assert.That(S13Messages.TryParseEca((await peer.ReceiveAsync())!, out EcaView view), Is.True);
        Assert.That(view.ExperimentalResultCode, Is.EqualTo(ResultCodes.EquipmentUnknown));
        Assert.That(view.ResultCode, Is.EqualTo(0u), "no Result-Code beside Experimental-Result");
        Assert.That(view.EquipmentStatus, Is.EqualTo(-1));
    }

    [Test]
    public async Task Dwr_is_answered_with_dwa()
    {
        await using PipePeer peer = _node.Connect();
        await peer.HandshakeAsync();
        byte[] dwr = peer.Dwr();
        await peer.SendAsync(dwr);
        byte[] dwa = (await peer.ReceiveAsync())!;
        Assert.That(Header(dwa).CommandCode, Is.EqualTo(CommandCodes.DeviceWatchdog));
        Assert.That(Header(dwa).IsRequest, Is.False);
        Assert.That(Header(dwa).HopByHopId, Is.EqualTo(Header(dwr).HopByHopId));
        Assert.That(BaseMessages.TryGetResultCode(dwa, out uint code) && code == ResultCodes.Success);
    }

    [Test]
    public async Task After_tw_of_silence_the_server_sends_dwr_and_after_the_idle_timeout_it_closes()
    {
        await using PipePeer peer = _node.Connect();
        await peer.HandshakeAsync();
        TimeSpan tw = _node.Options.WatchdogInterval;

        _node.Time.Advance(tw + TimeSpan.FromSeconds(1));
        byte[] dwr = (await peer.ReceiveAsync())!;
        Assert.That(Header(dwr).CommandCode, Is.EqualTo(CommandCodes.DeviceWatchdog));
        Assert.That(Header(dwr).IsRequest, Is.True);

        // Answer it, then ask one ourselves: its DWA proves the server has read everything we sent.
        await peer.SendAsync(BuildDwa(dwr));
        await peer.SendAsync(peer.Dwr());
        Assert.That(Header((await peer.ReceiveAsync())!).IsRequest, Is.False);

        // Silence is counted from the last message heard, so a second DWR goes out one Tw later, not before.
        _node.Time.Advance(tw - TimeSpan.FromSeconds(1));
        Assert.That(peer.Running.IsCompleted, Is.False);
        _node.Time.Advance(TimeSpan.FromSeconds(2));
        byte[] second = (await peer.ReceiveAsync())!;
        Assert.That(Header(second).CommandCode, Is.EqualTo(CommandCodes.DeviceWatchdog));
        Assert.That(Header(second).IsRequest, Is.True);

        // Unanswered, the peer is declared dead at the idle timeout (RFC 3539).
        _node.Time.Advance(_node.Options.IdleTimeout - tw);
        Assert.That(await peer.ReceiveAsync(), Is.Null);
        Assert.That(peer.Connection.CloseReason, Does.Contain("watchdog"));
    }

    [Test]
    public async Task Without_cer_the_connection_closes_after_the_cer_timeout()
    {
        await using PipePeer peer = _node.Connect();
        _node.Time.Advance(_node.Options.CerTimeout + TimeSpan.FromSeconds(1));
        Assert.That(await peer.ReceiveAsync(), Is.Null);
        Assert.That(peer.Connection.CloseReason, Does.Contain("CerTimeout"));
    }

    [Test]
    public async Task Dpr_from_the_peer_is_answered_with_dpa_and_the_connection_closes()
    {
        await using PipePeer peer = _node.Connect();
        await peer.HandshakeAsync();
        await peer.SendAsync(peer.Dpr());
        byte[] dpa = (await peer.ReceiveAsync())!;
        Assert.That(Header(dpa).CommandCode, Is.EqualTo(CommandCodes.DisconnectPeer));
        Assert.That(Header(dpa).IsRequest, Is.False);
        Assert.That(await peer.ReceiveAsync(), Is.Null);
    }

    [Test]
    public async Task On_shutdown_the_server_sends_dpr_and_closes_when_dpa_arrives()
    {
        await using PipePeer peer = _node.Connect();
        await peer.HandshakeAsync();
        peer.SignalShutdown();

        byte[] dpr = (await peer.ReceiveAsync())!;
        Assert.That(Header(dpr).CommandCode, Is.EqualTo(CommandCodes.DisconnectPeer));
        Assert.That(Header(dpr).IsRequest, Is.True);
        await peer.SendAsync(BuildDpa(dpr));
        Assert.That(await peer.ReceiveAsync(), Is.Null);
        Assert.That(peer.Connection.CloseReason, Does.Contain("DPA"));
    }

    [Test]
    public async Task On_shutdown_without_dpa_the_connection_closes_after_the_disconnect_timeout()
    {
        await using PipePeer peer = _node.Connect();
        await peer.HandshakeAsync();
        peer.SignalShutdown();
        Assert.That(Header((await peer.ReceiveAsync())!).CommandCode, Is.EqualTo(CommandCodes.DisconnectPeer));

        _node.Time.Advance(_node.Options.DisconnectTimeout + TimeSpan.FromSeconds(1));
        Assert.That(await peer.ReceiveAsync(), Is.Null);
        Assert.That(peer.Connection.CloseReason, Does.Contain("DisconnectTimeout"));
    }

    private static byte[] BuildDwa(byte[] dwr)
    {
        byte[] buffer = new byte[1024];
        int length = BaseMessages.WriteDwa(buffer, Header(dwr), PipePeer.Mme);
        return buffer[..length];
    }

    private static byte[] BuildDpa(byte[] dpr)
    {
        byte[] buffer = new byte[1024];
        int length = BaseMessages.WriteDpa(buffer, Header(dpr), PipePeer.Mme);
        return buffer[..length];
    }

    private static byte[] BuildCerWithApplication(uint authApplicationId)
    {
        byte[] buffer = new byte[1024];
        var writer = new MessageWriter(buffer);
        writer.WriteHeader(DiameterFlags.Request, CommandCodes.CapabilitiesExchange, ApplicationIds.Common, 1, 1);
        writer.WriteRaw(PipePeer.Mme.OriginAvps.Span);
        writer.WriteAddressAvp(AvpCodes.HostIpAddress, AvpFlags.Mandatory, System.Net.IPAddress.Loopback);
        writer.WriteUInt32Avp(AvpCodes.VendorId, AvpFlags.Mandatory, 0, 0);
        writer.WriteAvp(AvpCodes.ProductName, 0, 0, "cc-only"u8);
        writer.WriteUInt32Avp(AvpCodes.AuthApplicationId, AvpFlags.Mandatory, 0, authApplicationId);
        return buffer[..writer.Finish()];
    }
}
