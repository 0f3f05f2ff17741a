using ImeiEir.Core;
using ImeiEir.Registry.JetStream;

namespace ImeiEir.Registry.Tests.JetStream;

/// <summary>Changes for the stream tests: each names its writer and its number in the IMEI key, so it is recognisable wherever it lands.</summary>
internal static class StreamChanges
{
    /// <summary>A batch of <paramref name="count"/> changes from sequence <paramref name="first"/>, by writer <paramref name="writer"/>, its changes numbered from <paramref name="number"/>.</summary>
    public static LoggedChange[] Batch(ulong first, int count, int writer, long number) =>
        [.. Enumerable.Range(0, count).Select(i => One(first + (ulong)i, writer, number + i))];

    public static LoggedChange One(ulong sequence, int writer, long number) => new(new Change
    {
        Sequence = sequence,
        ImeiKey = Key(writer, number),
        Op = ChangeOp.Set,
        List = ListKind.Black,
        Reason = Reason.Stolen,
        TimeUnixMilliseconds = 1_700_000_000_000 + number,
        Origin = ChangeOrigin.Admin,
    }, Previous: 0);

    /// <summary>A distinct IMEI key per writer and number.</summary>
    public static ulong Key(int writer, long number) => (ulong)writer * 1_000_000_000UL + (ulong)number + 1;

    /// <summary>Options for a stream of its own on <paramref name="cluster"/>.</summary>
    public static NatsOptions Options(NatsCluster cluster, string? stream = null) => new()
    {
        Url = cluster.Urls,
        Stream = stream ?? "T" + Guid.NewGuid().ToString("N")[..12],
        Replicas = cluster.Size,
    };

    /// <summary>How many messages stream <paramref name="stream"/> holds (not changes: several go in one message).</summary>
    public static async Task<ulong> MessagesAsync(NatsCluster cluster, string stream, CancellationToken ct)
    {
        await using var connection = new NATS.Client.Core.NatsConnection(NATS.Client.Core.NatsOpts.Default with { Url = cluster.Urls });
        var js = new NATS.Client.JetStream.NatsJSContext(connection);
        return (ulong)(await js.GetStreamAsync(stream, cancellationToken: ct)).Info.State.Messages;
    }

    /// <summary>Every change of the stream, from 1 through its last, read within <paramref name="timeout"/>.</summary>
    public static async Task<List<LoggedChange>> ReadAllAsync(JetStreamChangeStream stream, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        ulong last = await stream.LastSequenceAsync(cts.Token);
        var all = new List<LoggedChange>();
        await foreach (LoggedChange change in stream.ReadAsync(1, last, cts.Token)) all.Add(change);
        return all;
    }
}
