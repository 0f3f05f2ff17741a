using System.Buffers.Binary;
using ImeiEir.Core;

namespace ImeiEir.Registry;

/// <summary>
/// One entry of the registry's change log: the change and a back-link for per-IMEI history.
/// <code>
///  0                                        40                48
///  +----------------------------------------+-----------------+
///  | change (ChangeCodec, 40 bytes)          | previous: u64 LE |
///  +----------------------------------------+-----------------+
/// </code>
/// <c>previous</c> is the sequence number of the change before this one to the same IMEI (0 for the first), so
/// an IMEI's history is a chain walked from its current record's sequence, one exact log read per change, never
/// a scan. FasterLog adds its own 12-byte header (length + per-entry checksum) in front.
/// </summary>
internal static class LogEntry
{
    public const int Size = ChangeCodec.Size + 8;

    public static void Write(in Change change, ulong previous, Span<byte> destination)
    {
        ChangeCodec.Write(change, destination);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[ChangeCodec.Size..], previous);
    }

    public static bool TryRead(ReadOnlySpan<byte> source, out Change change, out ulong previous)
    {
        previous = 0;
        if (source.Length != Size || !ChangeCodec.TryRead(source, out change))
        {
            change = default;
            return false;
        }
        previous = BinaryPrimitives.ReadUInt64LittleEndian(source[ChangeCodec.Size..]);
        return previous < change.Sequence;
    }
}
