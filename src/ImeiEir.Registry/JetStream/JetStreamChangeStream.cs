using System.Runtime.CompilerServices;
using ImeiEir.Core;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace ImeiEir.Registry.JetStream;

/// <summary>
/// The registry's change log on a NATS JetStream stream, several consecutive changes per message
/// (<see cref="ChangeMessage"/>, format 2 of <see cref="StreamDescription"/>). Appends are conditional on the
/// stream's end: each message is published with <c>Nats-Expected-Last-Sequence</c> = the stream sequence of the
/// message holding the change before it, which makes the log single-writer by construction: two registry processes
/// can race, never interleave or fork it. Change sequences are the registry's numbering; stream sequences only say
/// where a message sits, and are found from a change by <see cref="MessagePositions"/> or a search. The generation
/// id is kept with the stream, so every process of one stream reports the same one.
/// </summary>
internal sealed class JetStreamChangeStream : IAsyncDisposable
{
    /// <summary>Messages in flight at once within a batch: enough to fill the round trip to the stream leader.</summary>
    private const int Window = 32;

    // JetStream API error codes (nats-server errors.json).
    private const int ClusterNotAvailable = 10008;
    private const int NoMessageFound = 10037;
    private const int StreamNameInUse = 10058;
    private const int StreamNotFound = 10059;
    private const int WrongLastMsgId = 10070;
    private const int WrongLastSequence = 10071;

    private readonly NatsConnection _connection;
    private readonly NatsJSContext _js;
    private readonly INatsJSStream _stream;
    private readonly MessagePositions _positions = new();
    private readonly string _writer = Guid.NewGuid().ToString("N")[..12];

    private readonly TimeSpan _answerTimeout;

    private JetStreamChangeStream(NatsConnection connection, NatsJSContext js, INatsJSStream stream, RegistryGeneration generation, TimeSpan answerTimeout)
    {
        _answerTimeout = answerTimeout;
        _connection = connection;
        _js = js;
        _stream = stream;
        Stream = stream.Info.Config.Name!;
        Subject = Stream + ".changes";
        Generation = generation;
    }

    /// <summary>The stream's name.</summary>
    public string Stream { get; }

    /// <summary>The one subject the changes are published on.</summary>
    public string Subject { get; }

    /// <summary>The registry generation this stream was created with.</summary>
    public RegistryGeneration Generation { get; }

    /// <summary>
    /// Connects and binds the stream, creating it (file storage, <see cref="NatsOptions.Replicas"/> replicas, a new
    /// generation) when it does not exist yet.
    /// </summary>
    /// <exception cref="ChangeStreamUnavailableException">No server answered, or the stream could not be created.</exception>
    /// <exception cref="InvalidDataException">A stream of that name exists but is not an ImeiEir change log of this format.</exception>
    public static async Task<JetStreamChangeStream> OpenAsync(NatsOptions options, CancellationToken ct)
    {
        var connection = new NatsConnection(ConnectionOptions(options));
        try
        {
            await connection.ConnectAsync();
            var js = new NatsJSContext(connection);
            // A second create after a timed-out one that happened finds the first one's stream ("name in use", as
            // its generation differs) and binds it, so trying again is safe.
            INatsJSStream stream = await ApiRetry.UntilAnsweredAsync(() => BindOrCreateAsync(js, options, ct), ct);
            string? description = stream.Info.Config.Description;
            if (!StreamDescription.TryParse(description, out RegistryGeneration generation))
            {
                throw new InvalidDataException(StreamDescription.OtherFormat(description) is { } format
                    ? $"stream {options.Stream} holds an ImeiEir change log in format {format}, this registry reads format {StreamDescription.Format}: give Registry:Nats:Stream a new stream and start every registry process of it on an empty directory"
                    : $"stream {options.Stream} is not an ImeiEir change log (its description is '{description}')");
            }
            return new JetStreamChangeStream(connection, js, stream, generation, options.CommitTimeout);
        }
        catch (Exception e) when (e is NatsException or TimeoutException)
        {
            await connection.DisposeAsync();
            throw new ChangeStreamUnavailableException($"cannot open stream {options.Stream} at {options.Url}: {e.Message}", e);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>The stream's last change now (0 when empty).</summary>
    /// <exception cref="ChangeStreamUnavailableException">No quorum answered.</exception>
    public async Task<ulong> LastSequenceAsync(CancellationToken ct) => (await LastMessageAsync(ct)).LastChange;

    /// <summary>
    /// Appends <paramref name="batch"/>, whose sequences must follow each other from the stream's last change + 1, in
    /// messages of up to <see cref="ChangeMessage.MaxChanges"/>, and returns once JetStream acknowledged every one
    /// (stored on a quorum), or once it refused one because another writer got there first. Acknowledged changes are
    /// in the stream exactly once.
    /// </summary>
    /// <exception cref="ArgumentException">The batch is empty or its sequences do not follow each other.</exception>
    /// <exception cref="ChangeStreamUnavailableException">
    /// No quorum acknowledged in time: the outcome is not known; appending the same batch again is safe.
    /// </exception>
    public Task<AppendResult> AppendAsync(IReadOnlyList<LoggedChange> batch, CancellationToken ct) => AppendAsync(batch, null, ct);

    /// <summary>
    /// <see cref="AppendAsync(IReadOnlyList{LoggedChange}, CancellationToken)"/>, each message carrying
    /// <paramref name="by"/> (who wrote the batch) in its headers, which <see cref="ReadMessagesAsync(ulong, CancellationToken)"/> and
    /// <see cref="ReadAsync"/> give back with each change.
    /// </summary>
    public async Task<AppendResult> AppendAsync(IReadOnlyList<LoggedChange> batch, Attribution? by, CancellationToken ct)
    {
        if (batch.Count == 0) throw new ArgumentException("an empty batch", nameof(batch));
        ulong first = batch[0].Change.Sequence;
        if (first == 0) throw new ArgumentException("change sequences start at 1", nameof(batch));
        for (int i = 1; i < batch.Count; i++)
        {
            if (batch[i].Change.Sequence != first + (ulong)i)
                throw new ArgumentException($"change {i} has sequence {batch[i].Change.Sequence}, not {first + (ulong)i}", nameof(batch));
        }

        // The message the batch goes after: the one ending at the change before it. None ends there when the stream
        // holds more (that change is inside a message) or less: either way another writer's end, not ours.
        if (await MessageEndingAtAsync(first - 1, ct) is not { } after)
            return new AppendResult(AppendOutcome.LostRace, 0, await LastSequenceAsync(ct));

        var messages = new Publication(batch, after, _writer, by);
        int written = 0;
        while (written < messages.Count)
        {
            int end = Math.Min(written + Window, messages.Count);
            int stored = await PublishWindowAsync(messages, written, end, ct);
            written += stored;
            if (written == end) continue;
            // A refusal. Either another writer appended (the stream's end moved past our last stored message), or our
            // own publishes reached the leader out of order; in that case nobody else wrote and we go on from there.
            MessageSpan last = await LastMessageAsync(ct);
            if (last.Message != after + (ulong)written) return new AppendResult(AppendOutcome.LostRace, messages.ChangesBefore(written), last.LastChange);
            if (stored > 0) continue;
            // Nothing of the window went in although the stream ends at our last message: send the next one alone, so
            // a refusal now can only be another writer's doing.
            if (await RefusedAgainAsync(messages, written, ct))
                return new AppendResult(AppendOutcome.LostRace, messages.ChangesBefore(written), await LastSequenceAsync(ct));
            written++;
        }
        await ConfirmLastAsync(messages, ct);
        return new AppendResult(AppendOutcome.Appended, batch.Count, batch[^1].Change.Sequence);
    }

    /// <summary>
    /// The changes from <paramref name="from"/> through <paramref name="through"/> (both included), in order, for
    /// catch-up and replay, starting in the message that holds <paramref name="from"/> (wherever in it). Ends after
    /// <paramref name="through"/>; waits for changes not written yet.
    /// </summary>
    /// <exception cref="InvalidDataException">A message is not changes, or they do not follow each other (a gap, a purge).</exception>
    public async IAsyncEnumerable<LoggedChange> ReadAsync(ulong from, ulong through, [EnumeratorCancellation] CancellationToken ct)
    {
        if (through < from) yield break;
        await foreach (IReadOnlyList<LoggedChange> message in ReadMessagesAsync(from, ct))
        {
            foreach (LoggedChange change in message)
            {
                if (change.Change.Sequence > through) yield break;
                yield return change;
            }
            if (message[^1].Change.Sequence >= through) yield break;
        }
    }

    /// <summary>
    /// The changes from <paramref name="from"/> on, a message's worth at a time (its changes from
    /// <paramref name="from"/> for the first), as the stream stores them, until cancelled: the tail of a registry
    /// process follows the others' writes with it, woken by each message rather than by polling.
    /// </summary>
    /// <exception cref="InvalidDataException">A message is not changes, or they do not follow each other (a gap, a purge).</exception>
    public IAsyncEnumerable<IReadOnlyList<LoggedChange>> ReadMessagesAsync(ulong from, CancellationToken ct) =>
        ReadMessagesAsync(from, ConsumeAsync, ct);

    /// <summary>
    /// <see cref="ReadMessagesAsync(ulong, CancellationToken)"/> on the messages <paramref name="delivered"/> yields
    /// from a stream sequence on (the ordered consumer; a test substitutes a replica that diverged).
    /// </summary>
    internal async IAsyncEnumerable<IReadOnlyList<LoggedChange>> ReadMessagesAsync(ulong from, Func<ulong, CancellationToken, IAsyncEnumerable<DeliveredMessage>> delivered,
        [EnumeratorCancellation] CancellationToken ct)
    {
        if (from == 0) throw new ArgumentOutOfRangeException(nameof(from), "change sequences start at 1");
        ulong startMessage = await MessageHoldingAsync(from, ct);
        ulong expected = startMessage, next = from;
        await foreach (DeliveredMessage message in delivered(startMessage, ct))
        {
            ulong sequence = message.Sequence;
            // Earlier messages come again when the consumer is recreated (a server failed) or sits on a server still
            // catching up (seen after a SIGSTOP of the leader); each was checked against the leader's when first read.
            if (sequence != 0 && sequence < expected) continue;
            if (sequence != expected)
                throw new InvalidDataException($"stream {Stream}: expected message {expected}, got message {sequence} (a gap: was the stream purged?)");
            byte[] data = await CommittedAsync(sequence, message.Data ?? [], ct);
            MessageSpan span = Measure(sequence, data, ReferenceEquals(data, message.Data) ? message.Headers : null);
            if (span.FirstChange > next || span.LastChange < next)
                throw new InvalidDataException($"stream {Stream}: message {sequence} holds changes {span.FirstChange}..{span.LastChange}, expected change {next} in it");
            _positions.Record(span.LastChange, sequence);
            var changes = new LoggedChange[span.Count - (int)(next - span.FirstChange)];
            // A message taken from the leader in place of the delivered one has no headers here: its changes stay
            // attributed to registry-peer (rare: a replica that diverged).
            Attribution? by = ReferenceEquals(data, message.Data) ? ChangeMessage.AttributionOf(message.Headers) : null;
            for (int i = 0; i < changes.Length; i++) changes[i] = ChangeMessage.Read(data, (int)(next - span.FirstChange) + i, by);
            yield return changes;
            next = span.LastChange + 1;
            expected++;
        }
    }

    /// <summary>One message as a consumer delivered it.</summary>
    internal readonly record struct DeliveredMessage(ulong Sequence, byte[]? Data, NatsHeaders? Headers);

    // The ordered consumer from `startMessage` on. It is an R1 consumer on whichever server of the stream holds it,
    // not necessarily the leader.
    private async IAsyncEnumerable<DeliveredMessage> ConsumeAsync(ulong startMessage, [EnumeratorCancellation] CancellationToken ct)
    {
        INatsJSConsumer consumer = await _js.CreateOrderedConsumerAsync(Stream, new NatsJSOrderedConsumerOpts
        {
            DeliverPolicy = ConsumerConfigDeliverPolicy.ByStartSequence,
            OptStartSeq = startMessage,
        }, ct);
        // At most 64 messages (3 MiB) pulled ahead: the client's default, 1000, would be 48 MiB per reader at 48 KiB each.
        await foreach (NatsJSMsg<byte[]> message in consumer.ConsumeAsync<byte[]>(opts: PullAhead, cancellationToken: ct))
            yield return new DeliveredMessage(message.Metadata?.Sequence.Stream ?? 0, message.Data, message.Headers);
    }

    /// <summary>
    /// The stream leader's bytes of message <paramref name="sequence"/>, which a consumer delivered as
    /// <paramref name="delivered"/>. A consumer reads the replica it sits on, and under NATS 2.9 a replica can hold a
    /// message the stream never committed (seen after SIGSTOP/SIGCONT of the stream's leader: the registry following
    /// through it took a batch whose publish had timed out, in place of the committed one, and forked from the other
    /// processes). The leader's copy is the committed one; a difference is logged and the leader's copy taken.
    /// </summary>
    private async Task<byte[]> CommittedAsync(ulong sequence, byte[] delivered, CancellationToken ct)
    {
        byte[] committed;
        try
        {
            (_, committed) = await GetRawAsync(new StreamMsgGetRequest { Seq = sequence }, ct);
        }
        catch (NatsJSApiException e)
        {
            throw new ChangeStreamUnavailableException($"stream {Stream}: the leader did not give message {sequence}, which a consumer delivered: {e.Error.Description} ({e.Error.ErrCode})", e);
        }
        if (committed.AsSpan().SequenceEqual(delivered)) return delivered;
        _positions.Clear();   // what this process learnt from that replica may be wrong too
        ReplicaDiverged?.Invoke(sequence, delivered, committed);
        return committed;
    }

    /// <summary>
    /// Raised when a consumer delivered a message that differs from the stream leader's at that sequence (the leader's
    /// was taken): stream sequence, the delivered bytes, the leader's.
    /// </summary>
    public event Action<ulong, byte[], byte[]>? ReplicaDiverged;

    private static readonly NatsJSConsumeOpts PullAhead = new() { MaxMsgs = 64 };

    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    /// <summary>A batch cut into messages, encoded one window at a time (a 1M-change batch is 48 MB of payload).</summary>
    private sealed class Publication(IReadOnlyList<LoggedChange> batch, ulong after, string writer, Attribution? by)
    {
        private readonly string?[] _ids = new string?[ChangeMessage.MessagesFor(batch.Count)];

        /// <summary>Messages of the batch.</summary>
        public int Count => _ids.Length;

        /// <summary>The stream sequence of the message the batch goes after (0: the stream's start).</summary>
        public ulong After => after;

        /// <summary>Changes in messages 0 .. <paramref name="message"/> - 1.</summary>
        public int ChangesBefore(int message) => Math.Min(batch.Count, message * ChangeMessage.MaxChanges);

        public int ChangesIn(int message) => ChangesBefore(message + 1) - ChangesBefore(message);

        public ulong FirstChange(int message) => batch[ChangesBefore(message)].Change.Sequence;

        public ulong LastChange(int message) => batch[ChangesBefore(message + 1) - 1].Change.Sequence;

        /// <summary>The message's payload; records its id, which the next message's publish names.</summary>
        public byte[] Encode(int message)
        {
            byte[] data = ChangeMessage.Encode(batch, ChangesBefore(message), ChangesIn(message));
            _ids[message] = ChangeMessage.MessageId(writer, FirstChange(message), data);
            return data;
        }

        /// <summary>Who wrote the batch (null: not said).</summary>
        public Attribution? By => by;

        public string Id(int message) => _ids[message] ?? throw new InvalidOperationException($"message {message} not encoded yet");
    }

    // Publishes messages [start, end) with all of them in flight; returns how many from start are stored.
    private async Task<int> PublishWindowAsync(Publication messages, int start, int end, CancellationToken ct)
    {
        var acks = new Task<PubAckResponse>[end - start];
        using var bounded = Bounded(ct);
        for (int i = start; i < end; i++) acks[i - start] = PublishAsync(messages, i, bounded.Token);
        try
        {
            await Task.WhenAll(acks).WaitAsync(_answerTimeout, ct);
        }
        catch (Exception e) when (e is NatsException or TimeoutException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            throw new ChangeStreamUnavailableException($"stream {Stream}: no acknowledgement for changes {messages.FirstChange(start)}-{messages.LastChange(end - 1)}: {e.Message}", e);
        }

        int stored = 0;
        for (int i = 0; i < acks.Length; i++)
        {
            PubAckResponse ack = acks[i].Result;
            int message = start + i;
            if (ack.Error is { } error)
            {
                if (error.ErrCode is WrongLastSequence or WrongLastMsgId) continue;
                throw new ChangeStreamUnavailableException($"stream {Stream}: changes {messages.FirstChange(message)}-{messages.LastChange(message)} refused: {error.Description} ({error.ErrCode})");
            }
            // Each message requires the previous one to be the stream's last, so what was stored is a prefix.
            ulong expected = messages.After + (ulong)message + 1;
            if (ack.Seq != expected || stored != i)
                throw new InvalidOperationException($"stream {Stream}: changes {messages.FirstChange(message)}-{messages.LastChange(message)} were stored as message {ack.Seq}, not {expected}, after {stored} of the window: the log forked");
            _positions.Record(messages.LastChange(message), ack.Seq);
            stored++;
        }
        return stored;
    }

    // An acknowledgement comes from the server that believed itself the stream's leader, and a replica can hold what
    // the stream never committed (CommittedAsync): the batch counts as stored once the leader holds its last message
    // (each message was stored only after the one before it, by its id). Else the outcome is unknown, as for a timeout.
    private async Task ConfirmLastAsync(Publication messages, CancellationToken ct)
    {
        int last = messages.Count - 1;
        ulong sequence = messages.After + (ulong)last + 1;
        byte[]? held = null;
        try
        {
            (_, held) = await GetRawAsync(new StreamMsgGetRequest { Seq = sequence }, ct);
        }
        catch (NatsJSApiException)
        {
        }
        if (held is not null && ChangeMessage.MessageId(_writer, messages.FirstChange(last), held) == messages.Id(last)) return;
        _positions.Clear();
        throw new ChangeStreamUnavailableException($"stream {Stream}: changes {messages.FirstChange(last)}-{messages.LastChange(last)} were acknowledged as message {sequence}, but the stream leader holds {(held is null ? "no message" : ChangeMessage.Describe(held))} there (a replica diverged)");
    }

    // The first message of a resend is refused again: the refusal was a race after all.
    private async Task<bool> RefusedAgainAsync(Publication messages, int message, CancellationToken ct)
    {
        PubAckResponse ack;
        try
        {
            using var bounded = Bounded(ct);
            ack = await PublishAsync(messages, message, bounded.Token).WaitAsync(_answerTimeout, ct);
        }
        catch (Exception e) when (e is NatsException or TimeoutException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            throw new ChangeStreamUnavailableException($"stream {Stream}: no acknowledgement for changes {messages.FirstChange(message)}-{messages.LastChange(message)}: {e.Message}", e);
        }
        if (ack.Error is { ErrCode: WrongLastSequence or WrongLastMsgId }) return true;
        if (ack.Error is { } error)
            throw new ChangeStreamUnavailableException($"stream {Stream}: changes {messages.FirstChange(message)}-{messages.LastChange(message)} refused: {error.Description} ({error.ErrCode})");
        ulong expected = messages.After + (ulong)message + 1;
        if (ack.Seq != expected)
            throw new InvalidOperationException($"stream {Stream}: changes {messages.FirstChange(message)}-{messages.LastChange(message)} were stored as message {ack.Seq}, not {expected}: the log forked");
        _positions.Record(messages.LastChange(message), ack.Seq);
        return false;
    }

    // Every wait for the stream is bounded (Registry:Nats:CommitTimeout): with every server down the client keeps
    // the publish or read pending while it reconnects, and the push that waited for it was never answered. The token
    // also cancels the client's request; WaitAsync ends the wait even where the client does not honour it.
    private CancellationTokenSource Bounded(CancellationToken ct)
    {
        var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bounded.CancelAfter(_answerTimeout);
        return bounded;
    }

    private Task<PubAckResponse> PublishAsync(Publication messages, int message, CancellationToken ct)
    {
        byte[] data = messages.Encode(message);
        var options = new NatsJSPubOpts
        {
            MsgId = messages.Id(message),
            ExpectedStream = Stream,
            // The message before: the batch's predecessor for the first, the batch's own previous one after it.
            ExpectedLastSequence = messages.After + (ulong)message,
            // Within a batch, also require the previous message to be the batch's: after another writer's message the
            // stream could otherwise end at the sequence a later message of ours expects, and that one would be stored.
            ExpectedLastMsgId = message > 0 ? messages.Id(message - 1) : null,
        };
        return _js.PublishAsync(Subject, data, opts: options, headers: ChangeMessage.Headers(messages.FirstChange(message), messages.ChangesIn(message), messages.By),
            cancellationToken: ct).AsTask();
    }

    // ---------------------------------------------------------------- where a change is

    // The stream's last message (default: the stream is empty).
    private async Task<MessageSpan> LastMessageAsync(CancellationToken ct)
    {
        MessageSpan last = await GetMessageAsync(new StreamMsgGetRequest { LastBySubj = Subject }, ct);
        if (last.Count > 0) _positions.Record(last.LastChange, last.Message);
        return last;
    }

    // The stream sequence of the message whose last change is `change` (0 for change 0), or null when no message ends
    // there (the change is inside one, or past the stream's end).
    private async Task<ulong?> MessageEndingAtAsync(ulong change, CancellationToken ct)
    {
        if (_positions.TryGetMessageEndingAt(change, out ulong known)) return known;
        MessageSpan last = await LastMessageAsync(ct);
        if (change > last.LastChange) return null;
        MessageSpan holding = await SearchAsync(change, last, ct);
        return holding.LastChange == change ? holding.Message : null;
    }

    // The stream sequence of the message to start reading `change` from: the one holding it, or, past the stream's
    // end, the next message to come (which must then begin with it).
    private async Task<ulong> MessageHoldingAsync(ulong change, CancellationToken ct)
    {
        if (_positions.TryGetMessageEndingAt(change - 1, out ulong before)) return before + 1;
        MessageSpan last = await LastMessageAsync(ct);
        if (change > last.LastChange) return last.Message + 1;
        return (await SearchAsync(change, last, ct)).Message;
    }

    // Binary search over the messages 1 .. last (their first changes increase with their stream sequence): the last
    // message whose first change is at most `change`. About log2(messages) reads, each by the stream's leader.
    private async Task<MessageSpan> SearchAsync(ulong change, MessageSpan last, CancellationToken ct)
    {
        if (last.FirstChange <= change) return last;
        ulong low = 1, high = last.Message - 1;
        MessageSpan found = default;
        while (low <= high)
        {
            ulong middle = low + (high - low) / 2;
            MessageSpan probe = await GetMessageAsync(new StreamMsgGetRequest { Seq = middle }, ct);
            if (probe.FirstChange <= change)
            {
                found = probe;
                if (probe.LastChange >= change) break;
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }
        if (found.Count == 0) throw new InvalidDataException($"stream {Stream}: no message holds change {change} (was the stream purged?)");
        _positions.Record(found.LastChange, found.Message);
        return found;
    }

    // One message read by the stream's leader (not a direct get, which any replica answers, a lagging one too).
    private async Task<MessageSpan> GetMessageAsync(StreamMsgGetRequest request, CancellationToken ct)
    {
        try
        {
            (ulong sequence, byte[] data) = await GetRawAsync(request, ct);
            return Measure(sequence, data, null);
        }
        catch (NatsJSApiException e) when (e.Error.ErrCode == NoMessageFound && request.LastBySubj is not null)
        {
            return default;
        }
        catch (Exception e) when (e is NatsException or TimeoutException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            throw new ChangeStreamUnavailableException($"stream {Stream}: no answer within {_answerTimeout.TotalSeconds:0.#} s: {e.Message}", e);
        }
    }

    // The same, raw; a NatsJSApiException (no such message) is left to the caller. "Temporarily unavailable" is asked
    // again for a while: a server resumed after SIGSTOP answers so for seconds, first (JetStreamFailureTests' SIGSTOP
    // test saw ten pushes in a row refused by it, once every delivered message cost a leader read).
    private async Task<(ulong Sequence, byte[] Data)> GetRawAsync(StreamMsgGetRequest request, CancellationToken ct)
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        while (true)
        {
            try
            {
                using var bounded = Bounded(ct);
                StreamMsgGetResponse response = await _stream.GetAsync(request, bounded.Token).AsTask().WaitAsync(_answerTimeout, ct);
                return (response.Message.Seq, response.Message.Data.ToArray());
            }
            catch (NatsJSApiException e) when (e.Error.ErrCode == ClusterNotAvailable && System.Diagnostics.Stopwatch.GetElapsedTime(start) < LeaderReadPatience)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), ct);
            }
            catch (Exception e) when (e is NatsException and not NatsJSApiException or TimeoutException || (e is OperationCanceledException && !ct.IsCancellationRequested))
            {
                throw new ChangeStreamUnavailableException($"stream {Stream}: no answer within {_answerTimeout.TotalSeconds:0.#} s: {e.Message}", e);
            }
        }
    }

    /// <summary>How long a leader read is asked again while the answer is "temporarily unavailable".</summary>
    private static readonly TimeSpan LeaderReadPatience = TimeSpan.FromSeconds(10);

    private MessageSpan Measure(ulong sequence, byte[]? data, NatsHeaders? headers)
    {
        if (data is null || !ChangeMessage.TryMeasure(data, out ulong firstChange, out int count) || !ChangeMessage.HeadersAgree(headers, firstChange, count))
            throw new InvalidDataException($"stream {Stream}: message {sequence} is not a run of changes ({data?.Length ?? 0} bytes)");
        return new MessageSpan(sequence, firstChange, count);
    }

    private static async Task<INatsJSStream> BindOrCreateAsync(NatsJSContext js, NatsOptions options, CancellationToken ct)
    {
        try
        {
            return await js.GetStreamAsync(options.Stream, cancellationToken: ct);
        }
        catch (NatsJSApiException e) when (e.Error.ErrCode == StreamNotFound)
        {
        }
        var config = new StreamConfig(options.Stream, [options.Stream + ".changes"])
        {
            Description = StreamDescription.Describe(RegistryGeneration.NewRandom()),
            Storage = StreamConfigStorage.File,
            NumReplicas = options.Replicas,
            Retention = StreamConfigRetention.Limits,
            Discard = StreamConfigDiscard.New,
            DenyDelete = true,   // a deleted message would be a hole in the change numbering, and stale MessagePositions
            AllowDirect = true,
        };
        try
        {
            return await js.CreateStreamAsync(config, ct);
        }
        catch (NatsJSApiException e) when (e.Error.ErrCode == StreamNameInUse)
        {
            // Another registry created it a moment ago, with its own generation: that one is the stream's.
            return await js.GetStreamAsync(options.Stream, cancellationToken: ct);
        }
    }

    internal static NatsOpts ConnectionOptions(NatsOptions options) => NatsOpts.Default with
    {
        Url = string.Join(',', options.Urls),
        Name = "imeieir-registry",
        AuthOpts = options.CredentialsFile is null ? NatsAuthOpts.Default : NatsAuthOpts.Default with { CredsFile = options.CredentialsFile },
        TlsOpts = options.TlsCaFile is null ? NatsTlsOpts.Default : NatsTlsOpts.Default with { CaFile = options.TlsCaFile },
    };
}
