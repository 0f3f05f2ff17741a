using System.Buffers;
using System.Runtime.CompilerServices;
using ImeiEir.Core;

namespace ImeiEir.Sync;

/// <summary>What the parser does with each frame; a struct so <see cref="FeedParser.Parse{THandler}"/> is specialised per handler (docs/ARCHITECTURE.md, convention 10).</summary>
internal interface IFeedFrameHandler
{
    /// <summary>A decoded change. Return false to stop before it (a sequence gap): the parser reports <see cref="FeedParseStatus.Refused"/>.</summary>
    bool OnChange(in Change change);

    /// <summary>A heartbeat: the registry's head sequence and its clock (Unix ms).</summary>
    void OnHeartbeat(ulong headSequence, long registryTimeUnixMilliseconds);
}

/// <summary>Why <see cref="FeedParser.Parse{THandler}"/> stopped.</summary>
internal enum FeedParseStatus : byte
{
    /// <summary>Every complete frame was handled; what is left (if anything) is the start of the next frame.</summary>
    NeedMoreData,

    /// <summary>A kind byte that is neither 'C' nor 'H': the stream cannot be delimited any more.</summary>
    UnknownKind,

    /// <summary>A change frame whose 40 bytes do not decode (<see cref="ChangeCodec.TryRead"/> false).</summary>
    BadChange,

    /// <summary>The handler refused a change (out of sequence).</summary>
    Refused,
}

/// <summary>
/// Splits the binary feed (<see cref="FeedFormat"/>) into frames straight from the pipe's buffer:
/// <code>
///  +----+----------------------------------------+     +----+----------------+----------------+
///  | 'C'|  change, 40 bytes (ChangeCodec)        |     | 'H'| head seq (u64) | registry ms    |
///  +----+----------------------------------------+     +----+----------------+----------------+
///    1                  40                               1         8                 8
/// </code>
/// The kind byte fixes the frame size, so the boundary is known before the payload arrives (docs/ARCHITECTURE.md, convention 1). Frames
/// inside one segment are read in place; only a frame that straddles two segments is copied, onto the stack
/// (docs/ARCHITECTURE.md, convention 3). Nothing is allocated per frame.
/// </summary>
internal static class FeedParser
{
    private const int MaxFrameSize = FeedFormat.ChangeFrameSize;

    /// <summary>
    /// Handles every complete frame of <paramref name="buffer"/> in order. <paramref name="consumed"/> is the end
    /// of the last frame handled (pass it to <c>AdvanceTo</c>); on an error it is the start of the bad frame.
    /// </summary>
    public static FeedParseStatus Parse<THandler>(ReadOnlySequence<byte> buffer, ref THandler handler, out SequencePosition consumed, out int frames)
        where THandler : struct, IFeedFrameHandler
    {
        frames = 0;
        Span<byte> straddling = stackalloc byte[MaxFrameSize];
        while (!buffer.IsEmpty)
        {
            // Fast path: whole frames inside the first segment.
            ReadOnlySpan<byte> span = buffer.FirstSpan;
            int offset = 0;
            while (offset < span.Length)
            {
                int size = FeedFormat.FrameSize(span[offset]);
                if (size == 0)
                {
                    consumed = buffer.GetPosition(offset);
                    return FeedParseStatus.UnknownKind;
                }
                if (span.Length - offset < size) break;
                FeedParseStatus status = Handle(span.Slice(offset, size), ref handler);
                if (status != FeedParseStatus.NeedMoreData)
                {
                    consumed = buffer.GetPosition(offset);
                    return status;
                }
                offset += size;
                frames++;
            }
            if (offset > 0) buffer = buffer.Slice(offset);
            if (buffer.IsEmpty) break;

            // Slow path: a frame that starts here and ends in a later segment (or an empty first segment).
            int available = (int)Math.Min(buffer.Length, MaxFrameSize);
            buffer.Slice(0, available).CopyTo(straddling);
            int frameSize = FeedFormat.FrameSize(straddling[0]);
            if (frameSize == 0)
            {
                consumed = buffer.Start;
                return FeedParseStatus.UnknownKind;
            }
            if (available < frameSize) break;
            FeedParseStatus straddled = Handle(straddling[..frameSize], ref handler);
            if (straddled != FeedParseStatus.NeedMoreData)
            {
                consumed = buffer.Start;
                return straddled;
            }
            buffer = buffer.Slice(frameSize);
            frames++;
        }
        consumed = buffer.Start;
        return FeedParseStatus.NeedMoreData;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static FeedParseStatus Handle<THandler>(ReadOnlySpan<byte> frame, ref THandler handler)
        where THandler : struct, IFeedFrameHandler
    {
        if (frame[0] == FeedFormat.ChangeKind)
        {
            if (!ChangeCodec.TryRead(frame[1..], out Change change)) return FeedParseStatus.BadChange;
            return handler.OnChange(change) ? FeedParseStatus.NeedMoreData : FeedParseStatus.Refused;
        }
        FeedFormat.ReadHeartbeat(frame, out ulong head, out long registryTime);
        handler.OnHeartbeat(head, registryTime);
        return FeedParseStatus.NeedMoreData;
    }
}
