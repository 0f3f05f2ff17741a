using ImeiEir.Diameter;
using ImeiEir.Node.Configuration;

namespace ImeiEir.Node.Tests;

/// <summary>
/// Diameter:FrameTimeout (issue 22, item 2): once a message has begun it must arrive whole within the timeout; every
/// byte resets the idle timeout, so without it a trickling peer would keep its connection for ever.
/// </summary>
[TestFixture]
public sealed class FrameTimeoutTests
{
    private static readonly TimeSpan s_frameTimeout = TimeSpan.FromSeconds(4);

    private TestNode _node = null!;

    [SetUp]
    public void SetUp() => _node = new TestNode(new DiameterOptions { FrameTimeout = s_frameTimeout });

    [TearDown]
    public void TearDown() => _node.Dispose();

    [Test]
    public async Task A_message_trickled_a_byte_at_a_time_past_the_frame_timeout_closes_the_connection()
    {
        await using PipePeer peer = _node.Connect();
        await peer.HandshakeAsync();
        byte[] ecr = peer.Ecr(TestNode.White);

        await peer.SendAsync(ecr.AsMemory(0, 1));
        await Eventually.UntilAsync(() => peer.Connection.IsReceivingFrame, TimeSpan.FromSeconds(10), "the first byte read by the server");
        // Then a byte a second (on the fake clock) for twice the frame timeout: never silent, never complete.
        for (int i = 1; i <= 2 * s_frameTimeout.TotalSeconds && !peer.Running.IsCompleted; i++)
        {
            _node.Time.Advance(TimeSpan.FromSeconds(1));
            await peer.SendAsync(ecr.AsMemory(i, 1));
        }

        Assert.That(await peer.ReceiveAsync(), Is.Null, "closed by the server");
        Assert.That(peer.Connection.CloseReason, Does.Contain("FrameTimeout"));
    }

    [Test]
    public async Task A_peer_sending_each_message_within_the_frame_timeout_keeps_its_connection()
    {
        await using PipePeer peer = _node.Connect();
        await peer.HandshakeAsync();

        // Each ECR in two halves, 3 s apart (under the 4 s timeout), 10 times: 30 s, far past the timeout in total.
        for (int i = 0; i < 10; i++)
        {
            byte[] ecr = peer.Ecr(TestNode.White);
            int half = ecr.Length / 2;
            await peer.SendAsync(ecr.AsMemory(0, half));
            await Eventually.UntilAsync(() => peer.Connection.IsReceivingFrame || peer.Running.IsCompleted,
                TimeSpan.FromSeconds(10), "the first half read by the server");
            _node.Time.Advance(TimeSpan.FromSeconds(3));
            await peer.SendAsync(ecr.AsMemory(half));
            byte[] eca = await peer.ReceiveAsync() ?? throw new AssertionException($"closed at message {i}: {peer.Connection.CloseReason}");
            Assert.That(BaseMessages.TryGetResultCode(eca, out uint code) ? code : 0, Is.EqualTo(ResultCodes.Success));
        }
        Assert.That(peer.Running.IsCompleted, Is.False);
    }
}
