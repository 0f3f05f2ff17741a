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

    /// <summary>Header: the credential name of the push the message's changes belong to (percent-encoded UTF-8).</summary>
    public const string ActorHeader = "Imeieir-Actor";

    /// <summary>Header: the push's comment (percent-encoded UTF-8); absent when it had none.</summary>
    public const string CommentHeader = "Imeieir-Comment";

    /// <summary>
    /// The headers of a message; with <paramref name="by"/>, who wrote it, so every registry process records the same
    /// actor and comment in its history, not <c>registry-peer</c>. Percent-encoded: a header value is one line of
    /// ASCII, and a comment may hold any character. Bounded by <see cref="Attribution"/>'s own limits (255 bytes of
    /// actor, 500 characters of comment: at most 6 KB once encoded).
    /// </summary>
    public static NatsHeaders Headers(ulong firstChange, int count, Attribution? by = null)
    {
        var headers = new NatsHeaders
        {
            [FirstChangeHeader] = firstChange.ToString(CultureInfo.InvariantCulture),
            [ChangesHeader] = count.ToString(CultureInfo.InvariantCulture),
        };
        if (by is { } attribution)
        {
            headers[ActorHeader] = Uri.EscapeDataString(Bounded(attribution.Actor, Attribution.MaxActorBytes));
            if (attribution.Comment is { } comment) headers[CommentHeader] = Uri.EscapeDataString(Bounded(comment, MaxCommentBytes));
        }
        return headers;
    }

    /// <summary>Longest comment carried, in UTF-8 bytes: <see cref="Attribution.MaxCommentLength"/> characters of up to 4 bytes.</summary>
    private const int MaxCommentBytes = Attribution.MaxCommentLength * 4;

    /// <summary>
    /// Who wrote the message, as its headers say; null when they do not (a message of an older writer, which history
    /// shows as <c>registry-peer</c>) or say it badly (not percent-encoded UTF-8, empty, too long).
    /// </summary>
    public static Attribution? AttributionOf(NatsHeaders? headers)
    {
        if (headers is null || !headers.TryGetValue(ActorHeader, out var actorValue) || !TryDecode(actorValue.ToString(), Attribution.MaxActorBytes, out string? actor)
            || actor.Length == 0)
            return null;
        string? comment = null;
        if (headers.TryGetValue(CommentHeader, out var commentValue) && !TryDecode(commentValue.ToString(), MaxCommentBytes, out comment)) return null;
        return new Attribution(actor, comment);
    }

    private static readonly System.Text.UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    // Percent-decoding by hand: Uri.UnescapeDataString leaves an escape that is not UTF-8 as it is, so "%FF" would
    // come back as the three characters. Anything but printable ASCII and whole escapes of valid UTF-8 is refused.
    private static bool TryDecode(string encoded, int maxBytes, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value)
    {
        value = null;
        // Each byte is at most three characters encoded; anything longer was not written by this code.
        if (encoded.Length > maxBytes * 3) return false;
        var bytes = new byte[encoded.Length];
        int length = 0;
        for (int i = 0; i < encoded.Length; i++)
        {
            char c = encoded[i];
            if (c == '%')
            {
                if (i + 2 >= encoded.Length || !byte.TryParse(encoded.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out byte b))
                    return false;
                bytes[length++] = b;
                i += 2;
            }
            else if (c is >= ' ' and <= '~')
            {
                bytes[length++] = (byte)c;
            }
            else
            {
                return false;
            }
        }
        if (length > maxBytes) return false;
        try
        {
            value = StrictUtf8.GetString(bytes, 0, length);
            return true;
        }
        catch (System.Text.DecoderFallbackException)
        {
            return false;
        }
    }

    // Cut at a character boundary to at most maxBytes of UTF-8 (a surrogate pair is never split).
    private static string Bounded(string value, int maxBytes)
    {
        if (System.Text.Encoding.UTF8.GetByteCount(value) <= maxBytes) return value;
        int bytes = 0, end = 0;
        while (end < value.Length)
        {
            int width = char.IsHighSurrogate(value[end]) && end + 1 < value.Length ? 2 : 1;
            int size = System.Text.Encoding.UTF8.GetByteCount(value.AsSpan(end, width));
            if (bytes + size > maxBytes) break;
            bytes += size;
            end += width;
        }
        return value[..end];
    }

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

    /// <summary>The changes of a payload that <see cref="TryMeasure"/> accepted, written by <paramref name="by"/>.</summary>
    public static LoggedChange Read(ReadOnlySpan<byte> data, int index, Attribution? by = null)
    {
        LogEntry.TryRead(data.Slice(index * LogEntry.Size, LogEntry.Size), out Change change, out ulong previous);
        return new LoggedChange(change, previous, by);
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
