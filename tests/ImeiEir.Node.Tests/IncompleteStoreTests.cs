using System.IO.Pipelines;
using ImeiEir.Core;
using ImeiEir.Diameter;
using ImeiEir.Node.Diameter;
using ImeiEir.Store;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Hosting;

namespace ImeiEir.Node.Tests;

/// <summary>
/// A node whose store does not hold a whole snapshot yet (bootstrapping, or rebuilding after the registry went back
/// in time) answers nothing from it: an IMEI it lacks may be a black one not loaded yet.
/// </summary>
[TestFixture]
public sealed class IncompleteStoreTests
{
    private const string Unknown = "35000011111111";

    [Test, CancelAfter(20_000)]
    public async Task A_new_Diameter_connection_to_a_node_without_a_complete_store_is_closed_before_any_answer()
    {
        using var node = new TestNode(complete: false);
        var toServer = new Pipe();
        var toClient = new Pipe();
        var context = new DefaultConnectionContext("refused", new DuplexPipe(toServer.Reader, toClient.Writer), new DuplexPipe(toClient.Reader, toServer.Writer));
        var handler = new DiameterConnectionHandler(node.Services, new StoppedNever());
        await using (var peer = new PipePeer(node.Services)) // only for its CER bytes
            await toServer.Writer.WriteAsync(peer.Cer());

        // Bounded so that a handler that waits for more (the CER answered, the connection kept) fails here, not by hanging.
        await handler.OnConnectedAsync(context).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Multiple(() =>
        {
            Assert.That(toClient.Reader.TryRead(out ReadResult written) && !written.Buffer.IsEmpty, Is.False, "no CEA, nothing at all");
            Assert.That(handler.OpenConnections, Is.Zero);
        });
    }

    [Test, CancelAfter(20_000)]
    public async Task An_ECR_while_the_store_is_rebuilt_gets_3004_and_nothing_is_stored_or_reported()
    {
        using var node = new TestNode();
        await using PipePeer peer = node.Connect();
        await peer.HandshakeAsync();
        await node.Store.MarkIncompleteAsync(); // as the sync agent does before clearing the store for a new bootstrap

        await peer.SendAsync(peer.Ecr(Unknown, TestNode.HomeImsi));
        byte[] answer = (await peer.ReceiveAsync())!;
        await peer.SendAsync(peer.Ecr(TestNode.Black, TestNode.HomeImsi));
        byte[] second = (await peer.ReceiveAsync())!;

        using ImeiStoreSession session = node.Store.NewSession();
        Assert.Multiple(() =>
        {
            Assert.That(BaseMessages.TryGetResultCode(answer, out uint code) ? code : 0, Is.EqualTo(ResultCodes.TooBusy),
                "RFC 6733 §7.1.3: the MME sends the request to another EIR");
            Assert.That(DiameterHeader.TryRead(answer, out DiameterHeader header) && header.IsError, Is.True, "3xxx answers carry the E bit");
            Assert.That(BaseMessages.TryGetResultCode(second, out uint secondCode) ? secondCode : 0, Is.EqualTo(ResultCodes.TooBusy),
                "not even a record the store has is answered from a store being rebuilt");
            Assert.That(session.TryGet(Imei.Parse(Unknown), out _), Is.False, "no provisional grey record");
            Assert.That(node.Sightings.TryDequeue(out _), Is.False, "no sighting");
        });
    }

    [Test, CancelAfter(20_000)]
    public async Task Once_the_store_is_complete_the_same_connection_is_answered_from_it()
    {
        using var node = new TestNode();
        await using PipePeer peer = node.Connect();
        await peer.HandshakeAsync();
        await node.Store.MarkIncompleteAsync();
        node.Store.MarkComplete();

        await peer.SendAsync(peer.Ecr(TestNode.Black, TestNode.HomeImsi));
        byte[] answer = (await peer.ReceiveAsync())!;
        Assert.That(S13Messages.TryParseEca(answer, out EcaView view), Is.True);
        Assert.That((view.ResultCode, view.EquipmentStatus), Is.EqualTo((ResultCodes.Success, (int)EquipmentStatus.Blacklisted)));
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    private sealed class StoppedNever : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication()
        {
        }
    }
}
