using System.Buffers.Binary;

namespace ImeiEir.Core;

/// <summary>
/// The binary change feed (<c>GET /v1/feed?after=SEQ</c>, content type <see cref="ContentType"/>): an endless
/// stream of frames, each a kind byte and a fixed payload, so a reader needs no length prefix.
/// <code>
///  'C' (0x43) + 40-byte change (ChangeCodec)                         a change, in sequence order
///  'H' (0x48) + u64 head sequence + i64 registry time (Unix ms), LE    heartbeat: first frame of every stream, then
///                                                                     whenever the feed has been idle a heartbeat interval
/// </code>
/// Every feed and snapshot response (and the feed's 409) names the registry's generation in the
/// <see cref="GenerationHeader"/> response header, so a node knows which history the numbers belong to before it
/// reads a frame; a header, not a frame, so nodes from before generations read the stream unchanged.
/// </summary>
public static class FeedFormat
{
    /// <summary>Response header with the registry's <see cref="RegistryGeneration"/> (32 hex digits).</summary>
    public const string GenerationHeader = "ImeiEir-Generation";

    public const string ContentType = "application/vnd.imeieir.feed";
    public const string NdjsonContentType = "application/x-ndjson";

    public const byte ChangeKind = (byte)'C';
    public const byte HeartbeatKind = (byte)'H';

    public const int ChangeFrameSize = 1 + ChangeCodec.Size;
    public const int HeartbeatFrameSize = 1 + 16;

    /// <summary>Bytes a frame of this kind occupies, or 0 for an unknown kind (a corrupt stream).</summary>
    public static int FrameSize(byte kind) => kind switch
    {
        ChangeKind => ChangeFrameSize,
        HeartbeatKind => HeartbeatFrameSize,
        _ => 0,
    };

    public static void WriteChange(in Change change, Span<byte> destination)
    {
        destination[0] = ChangeKind;
        ChangeCodec.Write(change, destination[1..]);
    }

    public static void WriteHeartbeat(ulong headSequence, long registryTimeUnixMilliseconds, Span<byte> destination)
    {
        destination[0] = HeartbeatKind;
        BinaryPrimitives.WriteUInt64LittleEndian(destination[1..], headSequence);
        BinaryPrimitives.WriteInt64LittleEndian(destination[9..], registryTimeUnixMilliseconds);
    }

    public static void ReadHeartbeat(ReadOnlySpan<byte> frame, out ulong headSequence, out long registryTimeUnixMilliseconds)
    {
        headSequence = BinaryPrimitives.ReadUInt64LittleEndian(frame[1..]);
        registryTimeUnixMilliseconds = BinaryPrimitives.ReadInt64LittleEndian(frame[9..]);
    }
}
