using System.Buffers;
using System.Runtime.CompilerServices;

namespace ImeiEir.Diameter;

/// <summary>
/// Finds the boundary of the next Diameter frame before anything is parsed (docs/ARCHITECTURE.md, convention 1). The 20-byte header alone
/// decides: a bad version or length rejects the stream at once instead of waiting for a body that may never
/// come (or may be 16 MB).
/// <code>
/// buffer: | header (20) | AVPs ...                  | next frame ...
///         |&lt;-------- MessageLength ---------------&gt;|
/// </code>
/// </summary>
public static class FrameScanner
{
    /// <summary>
    /// Scans the start of <paramref name="buffer"/>, which may have many segments (the header may straddle them).
    /// Allocates nothing.
    /// </summary>
    /// <param name="buffer">Unconsumed bytes read from the connection.</param>
    /// <param name="maxMessageLength">Largest frame accepted, in bytes.</param>
    /// <param name="header">The header, valid when the result is not <see cref="FrameStatus.NeedMoreData"/> for lack of 20 bytes.</param>
    /// <param name="error">Why the result is <see cref="FrameStatus.Invalid"/>; otherwise <see cref="FrameError.None"/>.</param>
    public static FrameStatus TryScan(in ReadOnlySequence<byte> buffer, int maxMessageLength, out DiameterHeader header, out FrameError error)
    {
        ReadOnlySpan<byte> first = buffer.FirstSpan;
        if (first.Length >= DiameterHeader.Size)
        {
            // docs/ARCHITECTURE.md, convention 3: the common case, the whole header in the first segment.
            DiameterHeader.TryRead(first, out header);
        }
        else if (buffer.Length >= DiameterHeader.Size)
        {
            header = ReadStraddlingHeader(buffer);
        }
        else
        {
            header = default;
            error = FrameError.None;
            return FrameStatus.NeedMoreData;
        }

        return Classify(header, buffer.Length, maxMessageLength, out error);
    }

    /// <summary>Contiguous-buffer overload of <see cref="TryScan(in ReadOnlySequence{byte}, int, out DiameterHeader, out FrameError)"/>.</summary>
    public static FrameStatus TryScan(ReadOnlySpan<byte> buffer, int maxMessageLength, out DiameterHeader header, out FrameError error)
    {
        if (!DiameterHeader.TryRead(buffer, out header))
        {
            error = FrameError.None;
            return FrameStatus.NeedMoreData;
        }

        return Classify(header, buffer.Length, maxMessageLength, out error);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static DiameterHeader ReadStraddlingHeader(in ReadOnlySequence<byte> buffer)
    {
        Span<byte> copy = stackalloc byte[DiameterHeader.Size];
        buffer.Slice(0, DiameterHeader.Size).CopyTo(copy);
        DiameterHeader.TryRead(copy, out DiameterHeader header);
        return header;
    }

    private static FrameStatus Classify(in DiameterHeader header, long available, int maxMessageLength, out FrameError error)
    {
        // RFC 6733 §3: version 1; the length covers the header and is padded to 4. Checked before the body arrives.
        error = header.Version != DiameterHeader.CurrentVersion ? FrameError.BadVersion
            : header.MessageLength < DiameterHeader.Size ? FrameError.LengthTooSmall
            : (header.MessageLength & 3) != 0 ? FrameError.LengthNotMultipleOf4
            : header.MessageLength > maxMessageLength ? FrameError.LengthTooLarge
            : FrameError.None;

        if (error != FrameError.None)
        {
            return FrameStatus.Invalid;
        }

        return available >= header.MessageLength ? FrameStatus.Complete : FrameStatus.NeedMoreData;
    }
}
