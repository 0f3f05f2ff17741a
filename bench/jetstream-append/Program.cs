// Publishes the registry's changes to a JetStream stream the way the registry does, in each message format, and reads
// them back with an ordered consumer (the catch-up and the tail), timing both with a Stopwatch. Format 1 is 1c28dbd's
// JetStreamChangeStream: one 48-byte change per message, 256 publishes in flight then a wait for all their
// acknowledgements; format 2 is the current one: 1024 changes per message, 32 in flight. Both publish with
// Nats-Msg-Id, Nats-Expected-Stream, Nats-Expected-Last-Sequence and, after the first, Nats-Expected-Last-Msg-Id.
// Prints one TSV line per (format, replicas).
using System.Diagnostics;
using System.Globalization;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

const int EntrySize = 48;
string? urls = null;
int format1Changes = 30_000, format2Changes = 300_000;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--nats": urls = args[++i]; break;
        case "--format1-changes": format1Changes = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--format2-changes": format2Changes = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        default: Console.Error.WriteLine("usage: jetstream-append --nats URLS [--format1-changes N] [--format2-changes N]"); return 2;
    }
}
if (urls is null)
{
    Console.Error.WriteLine("--nats: missing");
    return 2;
}

await using var connection = new NatsConnection(NatsOpts.Default with { Url = urls, Name = "jetstream-append" });
await connection.ConnectAsync();
var js = new NatsJSContext(connection);
using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(10));
Console.WriteLine("format\treplicas\tchanges\tmessages\tin_flight\tpublish_ms\tpublish_changes_per_s\tms_per_window\tread_ms\tread_changes_per_s");
foreach (int replicas in new[] { 3, 1 })
{
    foreach ((int format, int changes, int perMessage, int window) in new[] { (1, format1Changes, 1, 256), (2, format2Changes, 1024, 32) })
    {
        string name = $"PROFILE_F{format}_R{replicas}_{Guid.NewGuid():N}"[..40];
        await js.CreateStreamAsync(new StreamConfig(name, [name + ".changes"])
        {
            NumReplicas = replicas, Storage = StreamConfigStorage.File, DenyDelete = true, Discard = StreamConfigDiscard.New,
        }, bound.Token);
        int messages = (changes + perMessage - 1) / perMessage;
        var payload = new byte[perMessage * EntrySize];
        Random.Shared.NextBytes(payload);
        string writer = Guid.NewGuid().ToString("N")[..12];
        string Id(int m) => $"{writer}-{(long)m * perMessage + 1}";

        var publish = Stopwatch.StartNew();
        int windows = 0;
        for (int start = 0; start < messages; start += window)
        {
            int end = Math.Min(messages, start + window);
            var acks = new Task<PubAckResponse>[end - start];
            for (int m = start; m < end; m++)
            {
                int count = Math.Min(perMessage, changes - m * perMessage);
                var headers = format == 1 ? null : new NatsHeaders
                {
                    ["Imeieir-First-Change"] = ((long)m * perMessage + 1).ToString(CultureInfo.InvariantCulture),
                    ["Imeieir-Changes"] = count.ToString(CultureInfo.InvariantCulture),
                };
                acks[m - start] = js.PublishAsync(name + ".changes", payload[..(count * EntrySize)], opts: new NatsJSPubOpts
                {
                    MsgId = Id(m), ExpectedStream = name, ExpectedLastSequence = (ulong)m, ExpectedLastMsgId = m > 0 ? Id(m - 1) : null,
                }, headers: headers, cancellationToken: bound.Token).AsTask();
            }
            foreach (PubAckResponse ack in await Task.WhenAll(acks))
            {
                if (ack.Error is { } error) throw new InvalidOperationException($"{name}: refused: {error.Description}");
            }
            windows++;
        }
        publish.Stop();

        var read = Stopwatch.StartNew();
        INatsJSConsumer consumer = await js.CreateOrderedConsumerAsync(name, new NatsJSOrderedConsumerOpts(), bound.Token);
        int got = 0;
        await foreach (NatsJSMsg<byte[]> message in consumer.ConsumeAsync<byte[]>(cancellationToken: bound.Token))
        {
            if (++got == messages) break;
        }
        read.Stop();
        await js.DeleteStreamAsync(name, bound.Token);

        Console.WriteLine(string.Join('\t', format, replicas, changes, messages, window,
            publish.Elapsed.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture),
            (changes / publish.Elapsed.TotalSeconds).ToString("0", CultureInfo.InvariantCulture),
            (publish.Elapsed.TotalMilliseconds / windows).ToString("0.0", CultureInfo.InvariantCulture),
            read.Elapsed.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture),
            (changes / read.Elapsed.TotalSeconds).ToString("0", CultureInfo.InvariantCulture)));
    }
}
return 0;
