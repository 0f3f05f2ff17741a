using System.Buffers.Binary;

namespace ImeiEir.Core;

/// <summary>
/// The wire form of a <see cref="Sighting"/> (node → registry, <c>POST /v1/sightings</c>), little-endian, 24 bytes:
/// <code>
/// 0  u64 IMEI key            8  u64 IMSI value (0 when none)
/// 16 u32 seen, Unix seconds  20 u8 IMSI digits (0 when none)   21 u8 kind   22 u16 reserved, 0
/// </code>
/// </summary>
public static class SightingCodec
{
    public const int Size = 24;

    /// <summary>Content type of a body of concatenated sightings.</summary>
    public const string ContentType = "application/vnd.imeieir.sightings";

    public static void Write(in Sighting sighting, Span<byte> destination)
    {
        if (destination.Length < Size) throw new ArgumentException($"needs {Size} bytes", nameof(destination));
        BinaryPrimitives.WriteUInt64LittleEndian(destination, sighting.ImeiKey);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], sighting.Imsi.Value);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[16..], sighting.SeenUnixSeconds);
        destination[20] = sighting.Imsi.Digits;
        destination[21] = (byte)sighting.Kind;
        destination[22] = 0;
        destination[23] = 0;
    }

    /// <summary>
    /// Reads one sighting; false with a reason when the bytes are not one this build would write (an IMEI key that
    /// is not 14 digits, a malformed IMSI, an unknown kind, reserved bytes set).
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out Sighting sighting, out string? problem)
    {
        sighting = default;
        if (source.Length < Size) { problem = $"a sighting is {Size} bytes, got {source.Length}"; return false; }
        ulong imeiKey = BinaryPrimitives.ReadUInt64LittleEndian(source);
        var imsi = new PackedImsi(BinaryPrimitives.ReadUInt64LittleEndian(source[8..]), source[20]);
        uint seen = BinaryPrimitives.ReadUInt32LittleEndian(source[16..]);
        var kind = (SightingKind)source[21];
        if (imeiKey >= Imei.KeyLimit) { problem = $"IMEI key {imeiKey} is not 14 digits"; return false; }
        if (!imsi.IsWellFormed) { problem = $"IMSI value {imsi.Value} does not fit {imsi.Digits} digits (5 to 15, or 0 for none)"; return false; }
        if (kind is not (SightingKind.FirstSeen or SightingKind.GreyAttach or SightingKind.BlackAttach or SightingKind.HomeAttach)) { problem = $"kind {(byte)kind} is unknown"; return false; }
        if (source[22] != 0 || source[23] != 0) { problem = "reserved bytes are not zero"; return false; }
        sighting = new Sighting(imeiKey, imsi, seen, kind);
        problem = null;
        return true;
    }
}
