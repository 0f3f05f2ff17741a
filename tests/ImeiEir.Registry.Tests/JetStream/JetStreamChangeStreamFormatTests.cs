using ImeiEir.Registry.JetStream;

namespace ImeiEir.Registry.Tests.JetStream;

/// <summary>
/// Format 2 of the change stream: several changes per message (<see cref="ChangeMessage.MaxChanges"/>), change
/// sequences no longer equal to stream sequences. A batch spans messages, a new client finds where the stream ends
/// and where a change sits. (The race with multi-message batches is the race test's second case; the refusal of a
/// format-1 stream is beside the other refusals.)
/// </summary>
public partial class JetStreamChangeStreamTests
{
    private const int PerMessage = ChangeMessage.MaxChanges;

    [Test]
    public void A_message_s_actor_and_comment_survive_its_headers_as_one_line_each_and_bad_ones_are_not_taken()
    {
        var by = new Attribution("ops-ä", "line one\r\nline two: ✓ 🚓 " + new string('x', 400));
        NATS.Client.Core.NatsHeaders headers = ChangeMessage.Headers(1, 1, by);
        var tooLong = new Attribution(new string('é', 300), null);

        Assert.Multiple(() =>
        {
            Assert.That(ChangeMessage.AttributionOf(headers), Is.EqualTo(by));
            Assert.That(headers.Values.SelectMany(v => v.ToArray()).All(v => v!.All(c => c is >= ' ' and <= '~')), Is.True, "printable ASCII only");
            Assert.That(ChangeMessage.AttributionOf(ChangeMessage.Headers(1, 1, tooLong))?.Actor, Is.EqualTo(new string('é', 127)), "cut to 255 bytes");
            Assert.That(ChangeMessage.AttributionOf(ChangeMessage.Headers(1, 1)), Is.Null, "no actor: not said");
            Assert.That(ChangeMessage.AttributionOf(new() { [ChangeMessage.ActorHeader] = "%FF%FE" }), Is.Null, "not UTF-8");
            Assert.That(ChangeMessage.AttributionOf(new() { [ChangeMessage.ActorHeader] = new string('a', 2000) }), Is.Null, "too long");
        });
    }

    [Test, CancelAfter(60_000)]
    public async Task A_batch_larger_than_a_message_is_stored_in_several_messages_and_reads_back_whole(CancellationToken ct)
    {
        NatsOptions options = StreamChanges.Options(_cluster);
        await using JetStreamChangeStream stream = await JetStreamChangeStream.OpenAsync(options, ct);
        LoggedChange[] big = StreamChanges.Batch(1, 2 * PerMessage + 452, writer: 1, number: 0);
        LoggedChange[] small = StreamChanges.Batch((ulong)big.Length + 1, 10, writer: 1, number: big.Length);

        AppendResult a = await stream.AppendAsync(big, ct);
        AppendResult b = await stream.AppendAsync(small, ct);
        List<LoggedChange> all = await StreamChanges.ReadAllAsync(stream, ReadTimeout);

        Assert.Multiple(async () =>
        {
            Assert.That(a, Is.EqualTo(new AppendResult(AppendOutcome.Appended, big.Length, (ulong)big.Length)));
            Assert.That(b, Is.EqualTo(new AppendResult(AppendOutcome.Appended, 10, (ulong)big.Length + 10)));
            Assert.That(await StreamChanges.MessagesAsync(_cluster, options.Stream, ct), Is.EqualTo(4UL), "3 messages for the big batch, 1 for the small");
            Assert.That(all, Is.EqualTo(big.Concat(small)));
        });
    }

    [Test, CancelAfter(60_000)]
    public async Task A_restarted_writer_resumes_after_the_stream_s_last_message_and_loses_the_race_from_inside_one(CancellationToken ct)
    {
        NatsOptions options = StreamChanges.Options(_cluster);
        await using (JetStreamChangeStream before = await JetStreamChangeStream.OpenAsync(options, ct))
        {
            await before.AppendAsync(StreamChanges.Batch(1, PerMessage + 476, writer: 1, number: 0), ct);
            await before.AppendAsync(StreamChanges.Batch(PerMessage + 477, 7, writer: 1, number: PerMessage + 476), ct);
        }
        const ulong End = PerMessage + 483;

        // A new process knows nothing of where the messages are: it finds them in the stream.
        await using JetStreamChangeStream after = await JetStreamChangeStream.OpenAsync(options, ct);
        ulong last = await after.LastSequenceAsync(ct);
        AppendResult inside = await after.AppendAsync(StreamChanges.Batch(1000, 5, writer: 2, number: 0), ct);
        AppendResult resumed = await after.AppendAsync(StreamChanges.Batch(End + 1, 100, writer: 2, number: 0), ct);
        List<LoggedChange> all = await StreamChanges.ReadAllAsync(after, ReadTimeout);

        Assert.Multiple(async () =>
        {
            Assert.That(last, Is.EqualTo(End), "the last change, not the last message's stream sequence");
            Assert.That(inside, Is.EqualTo(new AppendResult(AppendOutcome.LostRace, 0, End)), "change 999 is inside a message: the stream holds more");
            Assert.That(resumed, Is.EqualTo(new AppendResult(AppendOutcome.Appended, 100, End + 100)));
            Assert.That(await StreamChanges.MessagesAsync(_cluster, options.Stream, ct), Is.EqualTo(4UL));
            Assert.That(all.Select(c => c.Change.Sequence), Is.EqualTo(Enumerable.Range(1, (int)End + 100).Select(i => (ulong)i)));
        });
    }

    [Test, CancelAfter(60_000)]
    public async Task Reading_from_a_change_inside_a_message_starts_at_that_change(CancellationToken ct)
    {
        NatsOptions options = StreamChanges.Options(_cluster);
        LoggedChange[] batch = StreamChanges.Batch(1, 2 * PerMessage + 452, writer: 1, number: 0);
        await using (JetStreamChangeStream writer = await JetStreamChangeStream.OpenAsync(options, ct))
            await writer.AppendAsync(batch, ct);
        await using JetStreamChangeStream reader = await JetStreamChangeStream.OpenAsync(options, ct);   // no positions learnt

        List<ulong> middle = await ReadAsync(reader, 1500, 2100, ct);
        List<ulong> acrossBoundary = await ReadAsync(reader, PerMessage, PerMessage + 1, ct);
        List<ulong> lastOne = await ReadAsync(reader, (ulong)batch.Length, (ulong)batch.Length, ct);

        Assert.Multiple(async () =>
        {
            Assert.That(await StreamChanges.MessagesAsync(_cluster, options.Stream, ct), Is.EqualTo(3UL));
            Assert.That(middle, Is.EqualTo(Enumerable.Range(1500, 601).Select(i => (ulong)i)));
            Assert.That(acrossBoundary, Is.EqualTo(new ulong[] { PerMessage, PerMessage + 1 }));
            Assert.That(lastOne, Is.EqualTo(new[] { (ulong)batch.Length }));
        });
    }

    private static async Task<List<ulong>> ReadAsync(JetStreamChangeStream stream, ulong from, ulong through, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ReadTimeout);
        var read = new List<ulong>();
        await foreach (LoggedChange change in stream.ReadAsync(from, through, timeout.Token)) read.Add(change.Change.Sequence);
        return read;
    }
}
