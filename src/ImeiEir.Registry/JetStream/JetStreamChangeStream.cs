using System.Globalization;
using System.IO.Hashing;
using System.Runtime.CompilerServices;
using ImeiEir.Core;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace ImeiEir.Registry.JetStream;

/// <summary>
/// The registry's change log on a NATS JetStream stream: one message per change (the 48-byte <see cref="LogEntry"/>),
/// stream sequence = change sequence, so the stream's numbering is the registry's. Appends are conditional on the
/// stream's end (<c>Nats-Expected-Last-Sequence</c>), which makes the log single-writer by construction: two
/// registry processes can race, never interleave or fork it. The generation id is kept with the stream
/// (<see cref="StreamDescription"/>), so every process of one stream reports the same one.
/// </summary>
internal sealed class JetStreamChangeStream : IAsyncDisposable
{
    /// <summary>Publishes in flight at once within a batch: enough to fill the round trip to the stream leader.</summary>
    private const int Window = 256;

    // JetStream API error codes (nats-server errors.json).
    private const int StreamNameInUse = 10058;
    private const int StreamNotFound = 10059;
    private const int WrongLastMsgId = 10070;
    private const int WrongLastSequence = 10071;

    private readonly NatsConnection _connection;
    private readonly NatsJSContext _js;

    private JetStreamChangeStream(NatsConnection connection, NatsJSContext js, string stream, RegistryGeneration generation)
    {
        _connection = connection;
        _js = js;
        Stream = stream;
        Subject = stream + ".changes";
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
    /// <exception cref="InvalidDataException">A stream of that name exists but is not an ImeiEir change log.</exception>
    public static async Task<JetStreamChangeStream> OpenAsync(NatsOptions options, CancellationToken ct)
    {
        var connection = new NatsConnection(ConnectionOptions(options));
        try
        {
            await connection.ConnectAsync();
            var js = new NatsJSContext(connection);
            // A second create after a timed-out one that happened finds the first one's stream ("name in use", as
            // its generation differs) and binds it, so trying again is safe.
            StreamInfo info = await ApiRetry.UntilAnsweredAsync(() => BindOrCreateAsync(js, options, ct), ct);
            if (!StreamDescription.TryParse(info.Config.Description, out RegistryGeneration generation))
                throw new InvalidDataException($"stream {options.Stream} is not an ImeiEir change log (its description is '{info.Config.Description}')");
            return new JetStreamChangeStream(connection, js, options.Stream, generation);
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

    /// <summary>The stream's last sequence now (0 when empty).</summary>
    /// <exception cref="ChangeStreamUnavailableException">No quorum answered.</exception>
    public async Task<ulong> LastSequenceAsync(CancellationToken ct)
    {
        try
        {
            INatsJSStream stream = await _js.GetStreamAsync(Stream, cancellationToken: ct);
            return stream.Info.State.LastSeq;
        }
        catch (Exception e) when (e is NatsException or TimeoutException)
        {
            throw new ChangeStreamUnavailableException($"stream {Stream}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Appends <paramref name="batch"/>, whose sequences must follow each other from the stream's end + 1, and
    /// returns once JetStream acknowledged every change (stored on a quorum), or once it refused one because another
    /// writer got there first. Acknowledged changes are in the stream exactly once.
    /// </summary>
    /// <exception cref="ArgumentException">The batch is empty or its sequences do not follow each other.</exception>
    /// <exception cref="ChangeStreamUnavailableException">
    /// No quorum acknowledged in time: the outcome is not known; appending the same batch again is safe.
    /// </exception>
    public async Task<AppendResult> AppendAsync(IReadOnlyList<LoggedChange> batch, CancellationToken ct)
    {
        if (batch.Count == 0) throw new ArgumentException("an empty batch", nameof(batch));
        ulong first = batch[0].Change.Sequence;
        if (first == 0) throw new ArgumentException("change sequences start at 1", nameof(batch));
        for (int i = 1; i < batch.Count; i++)
        {
            if (batch[i].Change.Sequence != first + (ulong)i)
                throw new ArgumentException($"change {i} has sequence {batch[i].Change.Sequence}, not {first + (ulong)i}", nameof(batch));
        }

        int written = 0;
        while (written < batch.Count)
        {
            int end = Math.Min(written + Window, batch.Count);
            int stored = await PublishWindowAsync(batch, written, end, ct);
            written += stored;
            if (written == end) continue;
            // A refusal. Either another writer appended (the stream's end moved past our last stored change), or our
            // own publishes reached the leader out of order; in that case nobody else wrote and we go on from there.
            ulong last = await LastSequenceAsync(ct);
            if (last != first + (ulong)written - 1) return new AppendResult(AppendOutcome.LostRace, written, last);
            if (stored > 0) continue;
            // Nothing of the window went in although the stream ends at our last change: send the next one alone, so
            // a refusal now can only be another writer's doing.
            if (await RefusedAgainAsync(batch, written, ct)) return new AppendResult(AppendOutcome.LostRace, written, await LastSequenceAsync(ct));
            written++;
        }
        return new AppendResult(AppendOutcome.Appended, written, first + (ulong)written - 1);
    }

    /// <summary>
    /// The changes from <paramref name="from"/> through <paramref name="through"/> (both included), in order, for
    /// catch-up and replay. Ends after <paramref name="through"/>; waits for changes not written yet.
    /// </summary>
    /// <exception cref="InvalidDataException">A message is not a change, or sequences do not match (a gap, a purge).</exception>
    public async IAsyncEnumerable<LoggedChange> ReadAsync(ulong from, ulong through, [EnumeratorCancellation] CancellationToken ct)
    {
        if (from == 0) throw new ArgumentOutOfRangeException(nameof(from), "change sequences start at 1");
        if (through < from) yield break;
        INatsJSConsumer consumer = await _js.CreateOrderedConsumerAsync(Stream, new NatsJSOrderedConsumerOpts
        {
            DeliverPolicy = ConsumerConfigDeliverPolicy.ByStartSequence,
            OptStartSeq = from,
        }, ct);
        ulong expected = from;
        await foreach (NatsJSMsg<byte[]> message in consumer.ConsumeAsync<byte[]>(cancellationToken: ct))
        {
            ulong sequence = message.Metadata?.Sequence.Stream ?? 0;
            // Earlier messages come again when the consumer is recreated (a server failed) or sits on a server still
            // catching up (seen after a SIGSTOP of the leader): a stored message is committed, the same on every
            // replica, so skipping one already read is safe. A later one than expected is a real gap.
            if (sequence != 0 && sequence < expected) continue;
            if (sequence != expected)
                throw new InvalidDataException($"stream {Stream}: expected change {expected}, got message {sequence} (a gap: was the stream purged?)");
            if (message.Data is not { } data || !LogEntry.TryRead(data, out Change change, out ulong previous) || change.Sequence != sequence)
                throw new InvalidDataException($"stream {Stream}: message {sequence} is not the change {sequence} ({message.Data?.Length ?? 0} bytes)");
            yield return new LoggedChange(change, previous);
            if (sequence == through) yield break;
            expected++;
        }
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    // Publishes batch[start..end) with up to a window in flight; returns how many from start are stored.
    private async Task<int> PublishWindowAsync(IReadOnlyList<LoggedChange> batch, int start, int end, CancellationToken ct)
    {
        var acks = new Task<PubAckResponse>[end - start];
        for (int i = start; i < end; i++) acks[i - start] = PublishAsync(batch, i, ct);
        try
        {
            await Task.WhenAll(acks);
        }
        catch (Exception e) when (e is NatsException or TimeoutException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            throw new ChangeStreamUnavailableException($"stream {Stream}: no acknowledgement for changes {batch[start].Change.Sequence}-{batch[end - 1].Change.Sequence}: {e.Message}", e);
        }

        int stored = 0;
        for (int i = 0; i < acks.Length; i++)
        {
            PubAckResponse ack = acks[i].Result;
            ulong sequence = batch[start + i].Change.Sequence;
            if (ack.Error is { } error)
            {
                if (error.ErrCode is WrongLastSequence or WrongLastMsgId) continue;
                throw new ChangeStreamUnavailableException($"stream {Stream}: change {sequence} refused: {error.Description} ({error.ErrCode})");
            }
            // Each message requires the previous one to be the stream's last, so what was stored is a prefix.
            if (ack.Seq != sequence || stored != i)
                throw new InvalidOperationException($"stream {Stream}: change {sequence} was stored as message {ack.Seq}, after {stored} of the window: the log forked");
            stored++;
        }
        return stored;
    }

    // The first change of a resend is refused again: the refusal was a race after all.
    private async Task<bool> RefusedAgainAsync(IReadOnlyList<LoggedChange> batch, int index, CancellationToken ct)
    {
        PubAckResponse ack = await PublishAsync(batch, index, ct);
        if (ack.Error is { ErrCode: WrongLastSequence or WrongLastMsgId }) return true;
        if (ack.Error is { } error) throw new ChangeStreamUnavailableException($"stream {Stream}: change {batch[index].Change.Sequence} refused: {error.Description} ({error.ErrCode})");
        if (ack.Seq != batch[index].Change.Sequence)
            throw new InvalidOperationException($"stream {Stream}: change {batch[index].Change.Sequence} was stored as message {ack.Seq}: the log forked");
        return false;
    }

    private Task<PubAckResponse> PublishAsync(IReadOnlyList<LoggedChange> batch, int index, CancellationToken ct)
    {
        LoggedChange entry = batch[index];
        var data = new byte[LogEntry.Size];
        LogEntry.Write(entry.Change, entry.Previous, data);
        ulong sequence = entry.Change.Sequence;
        var options = new NatsJSPubOpts
        {
            MsgId = MessageId(sequence, data),
            ExpectedStream = Stream,
            ExpectedLastSequence = sequence - 1,
            // Within a batch, also require the previous change to be the batch's: after another writer's change the
            // stream could otherwise end at the sequence a later message of ours expects, and that one would be stored.
            ExpectedLastMsgId = index > 0 ? MessageId(batch[index - 1]) : null,
        };
        return _js.PublishAsync(Subject, data, opts: options, cancellationToken: ct).AsTask();
    }

    // The message id names this connection's writer, the sequence and the exact bytes: a publish retried after a lost
    // acknowledgement is recognised as stored (JetStream's duplicate window) and acknowledged again, while a different
    // change at the same sequence is never mistaken for it. The writer: two registry processes writing the same line
    // in the same millisecond make the same bytes, and without it the second would be acknowledged as the first's
    // duplicate, both reporting it applied; with it the second loses the race and reports it unchanged.
    private string MessageId(ulong sequence, ReadOnlySpan<byte> entry) =>
        string.Create(CultureInfo.InvariantCulture, $"{_writer}-{sequence}-{XxHash3.HashToUInt64(entry):x16}");

    private readonly string _writer = Guid.NewGuid().ToString("N")[..12];

    private string MessageId(in LoggedChange entry)
    {
        Span<byte> data = stackalloc byte[LogEntry.Size];
        LogEntry.Write(entry.Change, entry.Previous, data);
        return MessageId(entry.Change.Sequence, data);
    }

    private static async Task<StreamInfo> BindOrCreateAsync(NatsJSContext js, NatsOptions options, CancellationToken ct)
    {
        try
        {
            return (await js.GetStreamAsync(options.Stream, cancellationToken: ct)).Info;
        }
        catch (NatsJSApiException e) when (e.Error.ErrCode == StreamNotFound)
        {
        }
        var config = new StreamConfig(options.Stream, [options.Stream + ".changes"])
        {
            Description = StreamDescription.Format(RegistryGeneration.NewRandom()),
            Storage = StreamConfigStorage.File,
            NumReplicas = options.Replicas,
            Retention = StreamConfigRetention.Limits,
            Discard = StreamConfigDiscard.New,
            DenyDelete = true,   // a deleted message would be a hole in the change numbering
            AllowDirect = true,
        };
        try
        {
            return (await js.CreateStreamAsync(config, ct)).Info;
        }
        catch (NatsJSApiException e) when (e.Error.ErrCode == StreamNameInUse)
        {
            // Another registry created it a moment ago, with its own generation: that one is the stream's.
            return (await js.GetStreamAsync(options.Stream, cancellationToken: ct)).Info;
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
