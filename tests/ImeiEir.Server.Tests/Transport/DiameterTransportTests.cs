using System.Net.Sockets;
using ImeiEir.Diameter;
using ImeiEir.Server.Tests.Lifecycle;

namespace ImeiEir.Server.Tests.Transport;

/// <summary>
/// Both Diameter transports over real TCP on 127.0.0.1: what the MME sees when it pipelines, stops reading, resets
/// the connection, or is told goodbye at shutdown. Each test runs once per transport; the answers must not differ.
/// </summary>
[TestFixture("Epoll"), TestFixture("Sockets"), NonParallelizable]
public sealed class DiameterTransportTests(string transport)
{
    private const uint Success = TransportHost.Success, TooBusy = 3004;
    private const int White = TransportHost.White, Black = TransportHost.Black;
    private static readonly string WhiteImei = TransportHost.WhiteImei, BlackImei = TransportHost.BlackImei;
    private TransportHost _lists = null!;

    [SetUp]
    public void SetUp() => _lists = new TransportHost();

    [TearDown]
    public void TearDown() => _lists.Dispose();

    private Task<InProcessHost> StartAsync(params string[] extra) => _lists.StartAsync(transport, extra);

    [Test, CancelAfter(60_000)]
    public async Task Many_connections_at_once_each_get_their_own_answers()
    {
        await using InProcessHost host = await StartAsync();
        var clients = new S13Client[64];
        for (int i = 0; i < clients.Length; i++)
            clients[i] = new S13Client(host.Diameter);
        try
        {
            // Every client alternates differently, so an answer delivered to the wrong connection is seen.
            int[] wrong = await Task.WhenAll(clients.Select((client, i) => Task.Run(() =>
            {
                int mistakes = 0;
                for (int n = 0; n < 50; n++)
                {
                    bool black = (n + i) % 3 == 0;
                    if (client.Check((black ? BlackImei : WhiteImei)[..14], Cluster.HomeImsi) != (Success, 0u, black ? Black : White))
                        mistakes++;
                }
                return mistakes;
            })));
            Assert.That(wrong.Sum(), Is.Zero);
        }
        finally
        {
            foreach (S13Client client in clients) client.Dispose();
        }
    }

    [Test, CancelAfter(120_000)]
    public async Task A_peer_that_stops_reading_is_held_back_loses_no_answer_and_stalls_no_one_else()
    {
        await using InProcessHost host = await StartAsync("--Diameter:MaxReadBufferSize=262144", "--Diameter:MaxWriteBufferSize=131072");
        using var slow = new RawPeer(host.Diameter, socketBuffer: 64 * 1024);
        Assert.That(slow.Exchange(), Is.EqualTo(Success));
        const int count = 150_000; // about 27 MB of requests and 22 MB of answers: far more than every buffer on the way
        byte[] requests = RawPeer.Ecrs(count, first: 100, WhiteImei, BlackImei);
        Task sending = Task.Run(() => slow.Socket.Send(requests));

        // The scenario: the peer reads nothing for 2 s, far longer than a server without back-pressure needs to take all 27 MB.
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.That(sending.IsCompleted, Is.False, "the server stopped reading a peer that does not read its answers");
        using (var other = new S13Client(host.Diameter))
        {
            Assert.That(other.Check(BlackImei[..14], Cluster.HomeImsi), Is.EqualTo((Success, 0u, Black)), "another peer is served meanwhile");
            Assert.That(other.Check(WhiteImei[..14], Cluster.HomeImsi), Is.EqualTo((Success, 0u, White)));
        }

        int outOfOrder = 0, wrongStatus = 0;
        for (int i = 0; i < count; i++)
        {
            byte[] answer = slow.Receive();
            if (!S13Messages.TryParseEca(answer, out EcaView eca))
                Assert.Fail($"answer {i} is not an ECA");
            if (eca.Header.HopByHopId != 100 + (uint)i) outOfOrder++;
            if (eca.ResultCode != Success || eca.EquipmentStatus != (i % 2 == 0 ? White : Black)) wrongStatus++;
        }
        await sending.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That((outOfOrder, wrongStatus), Is.EqualTo((0, 0)), "(answers out of order, answers wrong)");
    }

    [Test, CancelAfter(90_000)]
    public async Task A_peer_reset_mid_stream_gives_its_place_back_and_the_limit_still_holds()
    {
        await using InProcessHost host = await StartAsync("--Diameter:MaxConnections=2");
        byte[] burst = RawPeer.Ecrs(2000, first: 10, WhiteImei, BlackImei);
        for (int round = 0; round < 10; round++)
        {
            using RawPeer first = await AdmitAsync(host, $"round {round}, first peer");
            using RawPeer second = await AdmitAsync(host, $"round {round}, second peer");
            first.Socket.Send(burst);
            second.Socket.Send(burst);
            first.Reset();
            second.Reset();
        }

        // Both places come free once the server has seen the resets, and a third peer is still turned away.
        using RawPeer a = await AdmitAsync(host, "first peer after the resets");
        using RawPeer b = await AdmitAsync(host, "second peer after the resets");
        using (var third = new RawPeer(host.Diameter))
            Assert.That(third.Exchange(), Is.EqualTo(TooBusy));
        a.Socket.Send(RawPeer.Ecrs(1, first: 7, BlackImei));
        Assert.That(S13Messages.TryParseEca(a.Receive(), out EcaView eca) && eca.EquipmentStatus == Black, Is.True);
    }

    /// <summary>A peer through its capabilities exchange, retrying while the server still counts a closed one.</summary>
    private static async Task<RawPeer> AdmitAsync(InProcessHost host, string who)
    {
        RawPeer? admitted = null;
        uint result = 0;
        await Eventually.UntilAsync(() =>
        {
            var peer = new RawPeer(host.Diameter);
            result = peer.Exchange();
            if (result == Success)
            {
                admitted = peer;
                return true;
            }
            peer.Dispose();
            return false;
        }, TimeSpan.FromSeconds(10), $"{who} to be admitted", () => $"still refused ({result})");
        return admitted!;
    }

    [Test, CancelAfter(60_000)]
    public async Task Shutdown_says_goodbye_to_every_peer_and_closes_even_the_one_that_does_not_answer()
    {
        InProcessHost host = await StartAsync("--Diameter:DisconnectTimeout=00:00:01");
        using var polite = new RawPeer(host.Diameter);
        using var silent = new RawPeer(host.Diameter);
        Assert.That((polite.Exchange(), silent.Exchange()), Is.EqualTo((Success, Success)));

        Task stopping = host.DisposeAsync().AsTask();
        byte[] dpr = polite.Receive();
        byte[] ignored = silent.Receive();
        polite.AnswerDpr(dpr);
        Assert.That(await Task.Run(polite.ServerClosed), Is.True, "closed after our DPA");
        Assert.That(await Task.Run(silent.ServerClosed), Is.True, "closed when the DPA never came");
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));

        foreach (byte[] request in new[] { dpr, ignored })
        {
            Assert.That(DiameterHeader.TryRead(request, out DiameterHeader header), Is.True);
            Assert.That((header.CommandCode, header.IsRequest), Is.EqualTo((CommandCodes.DisconnectPeer, true)));
        }
        Assert.That(() => new RawPeer(host.Diameter), Throws.InstanceOf<SocketException>(), "no longer listening");
    }
}
