using ImeiEir.Diameter;
using ImeiEir.Server.Tests.Lifecycle;

namespace ImeiEir.Server.Tests.Transport;

/// <summary>
/// The epoll transport's hot path allocates nothing per request (STYLE: allocation-free hot path). Kestrel's socket
/// transport is not held to this: the same test measured about 3 bytes a request there (an object every few
/// receives), which is Kestrel's, not ours.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class EpollAllocationTests
{
    private const uint Success = TransportHost.Success;
    private const int White = TransportHost.White, Black = TransportHost.Black;
    private static readonly string WhiteImei = TransportHost.WhiteImei, BlackImei = TransportHost.BlackImei;
    private const string Transport = "Epoll";

    [Test, CancelAfter(120_000)]
    public async Task Answering_pipelined_checks_allocates_nothing_per_request()
    {
        using var lists = new TransportHost();
        await using InProcessHost host = await lists.StartAsync(Transport);
        using var peer = new RawPeer(host.Diameter);
        Assert.That(peer.Exchange(), Is.EqualTo(Success));
        const int count = 400_000;
        byte[] requests = RawPeer.Ecrs(count, first: 1, WhiteImei, BlackImei);
        byte[] scratch = new byte[4096];

        // The first pass pays for first calls, the JIT's tier-up and the buffer pools growing to what this peer
        // keeps in flight; the second must allocate nothing per request.
        (int wrong, long allocated) first = Pass(peer, requests, count, scratch);
        (int wrong, long allocated) second = Pass(peer, requests, count, scratch);
        TestContext.Out.WriteLine($"{Transport}: {first.allocated} then {second.allocated} bytes allocated in the process for {count} answers");

        Assert.That((first.wrong, second.wrong), Is.EqualTo((0, 0)), "wrong answers");
        // The whole process meanwhile: transports, the S13 answer, and whatever the host's timers did (~6 KB/s
        // idle). A single object per request would be 24 bytes a request.
        Assert.That(second.allocated / (double)count, Is.LessThan(1.0), $"{second.allocated} bytes allocated for {count} answers");
    }

    private static (int Wrong, long Allocated) Pass(RawPeer peer, byte[] requests, int count, byte[] scratch)
    {
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var sending = new Thread(() => peer.Socket.Send(requests));
        sending.Start();
        int wrong = 0;
        for (int i = 0; i < count; i++)
        {
            int length = peer.ReceiveInto(scratch);
            if (!S13Messages.TryParseEca(scratch.AsSpan(0, length), out EcaView eca) || eca.Header.HopByHopId != 1 + (uint)i
                || eca.EquipmentStatus != (i % 2 == 0 ? White : Black))
                wrong++;
        }
        sending.Join();
        return (wrong, GC.GetTotalAllocatedBytes(precise: true) - before);
    }
}
