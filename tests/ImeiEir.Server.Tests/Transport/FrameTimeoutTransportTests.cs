using System.Net.Sockets;
using ImeiEir.Diameter;
using ImeiEir.Server.Tests.Lifecycle;

namespace ImeiEir.Server.Tests.Transport;

/// <summary>
/// Diameter:FrameTimeout over real TCP on both transports (issue 22, item 2): a peer past its CER that trickles a
/// message a byte at a time is closed by the server; one that sends whole messages in pieces, each within the
/// timeout, keeps its connection.
/// </summary>
[TestFixture("Epoll"), TestFixture("Sockets"), NonParallelizable]
public sealed class FrameTimeoutTransportTests(string transport)
{
    private static readonly TimeSpan s_frameTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan s_trickleGap = TimeSpan.FromMilliseconds(250);
    private TransportHost _lists = null!;

    [SetUp]
    public void SetUp() => _lists = new TransportHost();

    [TearDown]
    public void TearDown() => _lists.Dispose();

    [Test, CancelAfter(60_000)]
    public async Task A_peer_trickling_a_message_past_the_frame_timeout_is_closed_by_the_server()
    {
        await using InProcessHost host = await _lists.StartAsync(transport, [$"--Diameter:FrameTimeout={s_frameTimeout}"]);
        using var peer = new RawPeer(host.Diameter);
        Assert.That(peer.Exchange(), Is.EqualTo(TransportHost.Success));
        byte[] ecr = RawPeer.Ecrs(1, first: 2, TransportHost.WhiteImei);

        // A byte every 250 ms for at most four frame timeouts (and never the whole message); the server must close
        // the connection on the way.
        int sent = 0;
        var trickling = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            for (; sent < ecr.Length - 1 && trickling.Elapsed < 4 * s_frameTimeout; sent++)
            {
                peer.Socket.Send(ecr.AsSpan(sent, 1));
                await Task.Delay(s_trickleGap);
                if (peer.Socket.Poll(0, SelectMode.SelectRead))
                    break; // the server's FIN (or reset) has arrived
            }
        }
        catch (SocketException)
        {
            // A send after the server's reset: closed, as expected.
        }
        bool closed = peer.Socket.Poll((int)TimeSpan.FromSeconds(5).TotalMicroseconds, SelectMode.SelectRead) && peer.ServerClosed();
        Assert.That(closed, Is.True, $"the server still holds the connection after {sent} of {ecr.Length} bytes over {trickling.Elapsed.TotalSeconds:0.0} s");
    }

    [Test, CancelAfter(60_000)]
    public async Task A_peer_sending_messages_in_pieces_each_within_the_frame_timeout_keeps_its_connection()
    {
        await using InProcessHost host = await _lists.StartAsync(transport, [$"--Diameter:FrameTimeout={s_frameTimeout}"]);
        using var peer = new RawPeer(host.Diameter);
        Assert.That(peer.Exchange(), Is.EqualTo(TransportHost.Success));

        // Twelve ECRs in two halves 250 ms apart: 3 s in all, past the 2 s timeout, each message within it.
        for (uint i = 0; i < 12; i++)
        {
            byte[] ecr = RawPeer.Ecrs(1, first: 10 + i, TransportHost.WhiteImei);
            peer.Socket.Send(ecr.AsSpan(0, ecr.Length / 2));
            await Task.Delay(s_trickleGap);
            peer.Socket.Send(ecr.AsSpan(ecr.Length / 2));
            byte[] answer = peer.Receive();
            Assert.That(S13Messages.TryParseEca(answer, out EcaView eca) && eca.ResultCode == TransportHost.Success, Is.True, $"ECA {i}");
        }
    }
}
