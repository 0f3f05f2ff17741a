using System.Runtime.CompilerServices;
using ImeiEir.Registry.JetStream;

namespace ImeiEir.Registry.Tests.JetStream;

/// <summary>
/// A consumer sits on one replica of the stream, not necessarily the leader, and a replica can hold a message the
/// stream never committed (NATS 2.9 after SIGSTOP/SIGCONT of the leader: a registry process followed it and forked).
/// The reader takes the leader's copy of every message a consumer delivers.
/// </summary>
public partial class JetStreamChangeStreamTests
{
    [Test, CancelAfter(60_000)]
    public async Task A_message_a_replica_delivers_unlike_the_leader_s_is_read_as_the_leader_holds_it_and_reported(CancellationToken ct)
    {
        await using JetStreamChangeStream stream = await JetStreamChangeStream.OpenAsync(StreamChanges.Options(_cluster), ct);
        LoggedChange[] first = StreamChanges.Batch(1, 10, writer: 1, number: 0);
        LoggedChange[] committed = StreamChanges.Batch(11, 10, writer: 1, number: 10);
        // Another writer's batch for the same place, whose publish timed out and which the stream never stored.
        LoggedChange[] neverCommitted = StreamChanges.Batch(11, 10, writer: 2, number: 0);
        await stream.AppendAsync(first, ct);
        await stream.AppendAsync(committed, ct);
        var diverged = new List<(ulong Message, string Delivered, string Committed)>();
        stream.ReplicaDiverged += (message, delivered, leaders) => diverged.Add((message, ChangeMessage.Describe(delivered), ChangeMessage.Describe(leaders)));

        var read = new List<LoggedChange>();
        await foreach (IReadOnlyList<LoggedChange> message in stream.ReadMessagesAsync(1, Replica, ct)) read.AddRange(message);

        Assert.Multiple(() =>
        {
            Assert.That(read, Is.EqualTo(first.Concat(committed)), "the committed changes, not the diverged replica's");
            Assert.That(diverged, Has.Count.EqualTo(1));
            Assert.That(diverged.Select(d => d.Message), Is.EqualTo(new ulong[] { 2 }), "message 2 reported");
            Assert.That(diverged[0].Delivered, Is.Not.EqualTo(diverged[0].Committed));
        });

        // The diverged replica: message 1 as committed, message 2 the batch the stream never stored.
        async IAsyncEnumerable<JetStreamChangeStream.DeliveredMessage> Replica(ulong start, [EnumeratorCancellation] CancellationToken token)
        {
            await Task.Yield();
            if (start <= 1) yield return new JetStreamChangeStream.DeliveredMessage(1, ChangeMessage.Encode(first, 0, first.Length), null);
            yield return new JetStreamChangeStream.DeliveredMessage(2, ChangeMessage.Encode(neverCommitted, 0, neverCommitted.Length), null);
        }
    }
}
