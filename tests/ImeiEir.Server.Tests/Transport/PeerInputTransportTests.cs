using System.Buffers.Binary;
using System.Net;
using System.Text;
using ImeiEir.Diameter;
using ImeiEir.Node;
using ImeiEir.Server.Composition;
using ImeiEir.Server.Tests.Lifecycle;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Server.Tests.Transport;

/// <summary>
/// Hostile and broken peers against the whole server over TCP on 127.0.0.1, on both transports, with the host's
/// log captured: a forged Origin-Host, a malformed DWR, an impossible length, and a client looping on garbage.
/// </summary>
[TestFixture("Epoll"), TestFixture("Sockets"), NonParallelizable]
public sealed class PeerInputTransportTests(string transport)
{
    private const string Forged = "mme.test\n2026-12-06T09:00:00 info: Diameter peer admin.operator up";
    private TransportHost _lists = null!;
    private string _root = null!;
    private LogCapture _logs = null!;
    private WebApplication _app = null!;
    private IPEndPoint _diameter = null!;

    [SetUp]
    public async Task SetUp()
    {
        _lists = new TransportHost();
        _root = Path.Combine(Path.GetTempPath(), "imeieir-peerinput-" + Guid.NewGuid().ToString("N"));
        _logs = new LogCapture();
        string[] args =
        [
            "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:ImeiEir.Diameter=Information", "--Mode=all-in-one",
            $"--DataDir={Path.Combine(_root, "data")}", "--Diameter:Port=0", "--Http:Port=0", "--Registry:Port=0", "--Sbi:Port=0",
            "--Registry:LoadDemoLists=false", $"--Diameter:Transport={transport}",
        ];
        (_app, _, ListenEndpoints endpoints) = ImeiEirApp.Build(args, services => services.AddSingleton<ILoggerProvider>(_logs));
        await _app.StartAsync();
        // A node serves no peer until its store is complete (docs/ARCHITECTURE.md, "Change feed"): wait as a peer would.
        await _app.Services.GetRequiredService<NodeReadiness>().CaughtUp.WaitAsync(TimeSpan.FromSeconds(30));
        _diameter = endpoints.DiameterEndPoint!;
    }

    [TearDown]
    public async Task TearDown()
    {
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15)))
            await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
        _lists.Dispose();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private IEnumerable<string> DiameterLines =>
        _logs.Lines.Select(l => l.Text).Where(t => t.Contains("Diameter", StringComparison.Ordinal) || t.Contains("127.0.0.1", StringComparison.Ordinal));

    [Test, CancelAfter(60_000)]
    public void A_cer_forging_a_log_line_in_origin_host_gets_5004_and_no_raw_newline_reaches_the_log()
    {
        using var peer = new RawPeer(_diameter);
        byte[] host = Avp(AvpCodes.OriginHost, Encoding.ASCII.GetBytes(Forged));
        peer.Socket.Send(Message(CommandCodes.CapabilitiesExchange, 5, host, Avp(AvpCodes.OriginRealm, "test"u8.ToArray()),
            Avp(AvpCodes.AuthApplicationId, [1, 0, 0, 0x24])));

        byte[] cea = peer.Receive();
        Assert.That(BaseMessages.TryParseCea(cea, out CeaView view), Is.True);
        Assert.That(view.ResultCode, Is.EqualTo(ResultCodes.InvalidAvpValue));
        Assert.That(view.FailedAvp.ToArray(), Is.EqualTo(host));
        Assert.That(peer.ServerClosed(), Is.True);

        Assert.That(Eventually.TryUntil(() => DiameterLines.Any(t => t.Contains(@"mme.test\n2026", StringComparison.Ordinal)), TimeSpan.FromSeconds(10)),
            Is.True, "the refusal is logged with the peer's text escaped:\n" + string.Join("\n", _logs.Lines.Select(l => l.Text)));
        Assert.That(_logs.Lines.Where(l => l.Text.Contains('\n') && l.Text.Contains("admin.operator")), Is.Empty);
    }

    [Test, CancelAfter(60_000)]
    public void A_dwr_with_a_short_avp_gets_5014_and_the_peer_is_still_served()
    {
        using var peer = new RawPeer(_diameter);
        Assert.That(peer.Exchange(), Is.EqualTo(ResultCodes.Success));
        byte[] origin = [.. Avp(AvpCodes.OriginHost, "mme.test"u8.ToArray()), .. Avp(AvpCodes.OriginRealm, "test.realm"u8.ToArray())];
        peer.Socket.Send(Message(CommandCodes.DeviceWatchdog, 9, origin, Avp(AvpCodes.OriginStateId, [0, 0, 0, 1], lengthOverride: 6)));

        byte[] dwa = peer.Receive();
        Assert.That(BaseMessages.TryGetResultCode(dwa, out uint code) ? code : 0, Is.EqualTo(ResultCodes.InvalidAvpLength));
        peer.Socket.Send(Message(CommandCodes.DeviceWatchdog, 10, origin));
        Assert.That(BaseMessages.TryGetResultCode(peer.Receive(), out code) ? code : 0, Is.EqualTo(ResultCodes.Success), "the connection stays");
    }

    [Test, CancelAfter(60_000)]
    public void A_length_not_a_multiple_of_4_gets_5015_then_the_server_closes()
    {
        using var peer = new RawPeer(_diameter);
        Assert.That(peer.Exchange(), Is.EqualTo(ResultCodes.Success));
        byte[] dwr = Message(CommandCodes.DeviceWatchdog, 11, Avp(AvpCodes.OriginHost, "mme.test"u8.ToArray()));
        BinaryPrimitives.WriteUInt32BigEndian(dwr, (1u << 24) | (uint)(dwr.Length + 2));
        peer.Socket.Send(dwr);

        byte[] answer = peer.Receive();
        Assert.That(DiameterHeader.TryRead(answer, out DiameterHeader header) && header.HopByHopId == 11 && !header.IsRequest, Is.True);
        Assert.That(BaseMessages.TryGetResultCode(answer, out uint code) ? code : 0, Is.EqualTo(ResultCodes.InvalidMessageLength));
        Assert.That(peer.ServerClosed(), Is.True);
    }

    [Test, CancelAfter(120_000)]
    public void A_thousand_bad_version_connections_from_one_address_write_a_bounded_log()
    {
        byte[] garbage = [7, 0, 0, 20, 0x80, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1];
        for (int i = 0; i < 1000; i++)
        {
            using var peer = new RawPeer(_diameter);
            peer.Socket.Send(garbage);
            Assert.That(peer.ServerClosed(), Is.True, $"connection {i} is closed");
        }

        // Every connection was logged before the limit (a violation and a close each, 258 bytes): 2,000 lines.
        using (var last = new RawPeer(_diameter))
            Assert.That(last.Exchange(), Is.EqualTo(ResultCodes.Success), "a real peer from the same address still gets in");
        Assert.That(Eventually.TryUntil(() => DiameterLines.Any(t => t.Contains("mme.test up")), TimeSpan.FromSeconds(10)), Is.True);
        string[] lines = [.. DiameterLines];
        Assert.That(lines.Count(l => l.Contains("BadVersion")), Is.InRange(1, 10), string.Join("\n", lines.Take(30)));
        Assert.That(lines, Has.Length.LessThanOrEqualTo(20), string.Join("\n", lines.Take(30)));
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

    private static byte[] Avp(uint code, byte[] data, int? lengthOverride = null)
    {
        byte[] avp = new byte[(8 + data.Length + 3) & ~3];
        BinaryPrimitives.WriteUInt32BigEndian(avp, code);
        BinaryPrimitives.WriteUInt32BigEndian(avp.AsSpan(4), (uint)AvpFlags.Mandatory << 24 | (uint)(lengthOverride ?? 8 + data.Length));
        data.CopyTo(avp, 8);
        return avp;
    }
}
