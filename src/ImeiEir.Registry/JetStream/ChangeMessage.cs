using System.Globalization;
using System.IO.Hashing;
using ImeiEir.Core;
using NATS.Client.Core;

namespace ImeiEir.Registry.JetStream;

/// <summary>
/// One stream message of the change log (format 2, <see cref="StreamDescription"/>): up to <see cref="MaxChanges"/>
/// consecutive changes, each a 48-byte <see cref="LogEntry"/>, back to back. The payload alone says which changes it
/// holds (each entry carries its sequence); the headers repeat the first change and the count for people and tools
/// looking at the stream. Several changes per message because the stream's cost is per message (an acknowledgement,
/// a replication round, a store write each): one per change made a 1M-line push 14–18× slower than the local log.
/// </summary>
internal static class ChangeMessage
{
    /// <summary>Changes per message at most: 1024 × 48 bytes = 48 KiB, well under NATS's default 1 MiB payload limit.</summary>
    public const int MaxChanges = 1024;

    /// <summary>Header: the sequence of the message's first change.</summary>
    public const string FirstChangeHeader = "Imeieir-First-Change";

    /// <summary>Header: how many changes the message holds.</summary>
    public const string ChangesHeader = "Imeieir-Changes";

    /// <summary>Messages a batch of <paramref name="changes"/> changes takes.</summary>
    public static int MessagesFor(int changes) => (changes + MaxChanges - 1) / MaxChanges;

    /// <summary>The payload of the batch's changes <paramref name="start"/> .. + <paramref name="count"/>.</summary>
    public static byte[] Encode(IReadOnlyList<LoggedChange> batch, int start, int count)
    {
        var data = new byte[count * LogEntry.Size];
        for (int i = 0; i < count; i++)
        {
            LoggedChange entry = batch[start + i];
            LogEntry.Write(entry.Change, entry.Previous, data.AsSpan(i * LogEntry.Size, LogEntry.Size));
        }
        return data;
    }

    public static NatsHeaders Headers(ulong firstChange, int count) => new()
    {
        [FirstChangeHeader] = firstChange.ToString(CultureInfo.InvariantCulture),
        [ChangesHeader] = count.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// The message id: the writer (this connection), the first change and a hash of the exact bytes. Deterministic for
    /// one writer, so a publish retried after a lost acknowledgement is recognised as stored (JetStream's duplicate
    /// window) and acknowledged again; a different message at the same place never is. The writer part: two registry
    /// processes writing the same line in the same millisecond make the same bytes, and without it the second would
    /// be acknowledged as the first's duplicate, both reporting it applied; with it the second loses the race.
    /// </summary>
    public static string MessageId(string writer, ulong firstChange, ReadOnlySpan<byte> data) =>
        string.Create(CultureInfo.InvariantCulture, $"{writer}-{firstChange}-{XxHash3.HashToUInt64(data):x16}");

    /// <summary>The first change and the count of a payload, checked whole; false when it is not a change message.</summary>
    public static bool TryMeasure(ReadOnlySpan<byte> data, out ulong firstChange, out int count)
    {
        firstChange = 0;
        count = data.Length / LogEntry.Size;
        if (data.Length == 0 || data.Length % LogEntry.Size != 0 || count > MaxChanges) return false;
        for (int i = 0; i < count; i++)
        {
            if (!LogEntry.TryRead(data.Slice(i * LogEntry.Size, LogEntry.Size), out Change change, out _)) return false;
            if (i == 0) firstChange = change.Sequence;
            if (change.Sequence == 0 || change.Sequence != firstChange + (ulong)i) return false;
        }
        return true;
    }

    /// <summary>For a log line: the changes a payload holds and a hash of its bytes, or that it holds none.</summary>
    public static string Describe(ReadOnlySpan<byte> data) => TryMeasure(data, out ulong first, out int count)
        ? string.Create(CultureInfo.InvariantCulture, $"{first}..{first + (ulong)count - 1} (xxh3 {XxHash3.HashToUInt64(data):x16})")
        : string.Create(CultureInfo.InvariantCulture, $"none ({data.Length} bytes)");

    /// <summary>The changes of a payload that <see cref="TryMeasure"/> accepted.</summary>
    public static LoggedChange Read(ReadOnlySpan<byte> data, int index)
    {
        LogEntry.TryRead(data.Slice(index * LogEntry.Size, LogEntry.Size), out Change change, out ulong previous);
        return new LoggedChange(change, previous);
    }

    /// <summary>
    /// False when the headers, if present, disagree with the payload (a message some other tool wrote on the subject).
    /// </summary>
    public static bool HeadersAgree(NatsHeaders? headers, ulong firstChange, int count)
    {
        if (headers is null) return true;
        if (headers.TryGetValue(FirstChangeHeader, out var first) && first.ToString() != firstChange.ToString(CultureInfo.InvariantCulture)) return false;
        if (headers.TryGetValue(ChangesHeader, out var n) && n.ToString() != count.ToString(CultureInfo.InvariantCulture)) return false;
        return true;
    }
}

/// <summary>Where a message sits: its stream sequence and the changes it holds.</summary>
internal readonly record struct MessageSpan(ulong Message, ulong FirstChange, int Count)
{
    /// <summary>The message's last change (0 for <c>default</c>: the empty stream).</summary>
    public ulong LastChange => Count == 0 ? 0 : FirstChange + (ulong)Count - 1;
}
