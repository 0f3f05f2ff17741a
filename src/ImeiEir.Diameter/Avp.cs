using System.Buffers.Binary;

namespace ImeiEir.Diameter;

/// <summary>
/// One AVP as read by <see cref="AvpReader"/>: a borrowed view into the message (docs/ARCHITECTURE.md, convention 4), valid only as long as
/// the buffer it was read from (RFC 6733 §4.1).
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                           AVP Code                            |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |V M P r r r r r|                  AVP Length                   |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                        Vendor-ID (opt, when V)                |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |    Data ...                              | padding to 4 (0s)  |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// AVP Length counts header and data, not the padding.
/// </summary>
public readonly ref struct Avp
{
    /// <summary>Header size without Vendor-ID.</summary>
    public const int HeaderSize = 8;

    /// <summary>Header size with Vendor-ID (V bit).</summary>
    public const int VendorHeaderSize = 12;

    internal Avp(uint code, byte flags, uint vendorId, ReadOnlySpan<byte> raw, int headerLength, int offset)
    {
        Code = code;
        Flags = flags;
        VendorId = vendorId;
        Raw = raw;
        Data = raw[headerLength..];
        Offset = offset;
    }

    /// <summary>AVP code.</summary>
    public uint Code { get; }

    /// <summary>AVP flags, see <see cref="AvpFlags"/>.</summary>
    public byte Flags { get; }

    /// <summary>Vendor-ID, 0 when the V bit is clear.</summary>
    public uint VendorId { get; }

    /// <summary>The data, without header or padding.</summary>
    public ReadOnlySpan<byte> Data { get; }

    /// <summary>Header and data as received, without padding (AVP Length bytes).</summary>
    public ReadOnlySpan<byte> Raw { get; }

    /// <summary>Offset of <see cref="Raw"/> within the span the reader was given.</summary>
    public int Offset { get; }

    /// <summary>M bit.</summary>
    public bool IsMandatory => (Flags & AvpFlags.Mandatory) != 0;

    /// <summary>V bit.</summary>
    public bool IsVendorSpecific => (Flags & AvpFlags.Vendor) != 0;

    /// <summary>AVP Length (header + data).</summary>
    public int Length => Raw.Length;

    /// <summary>AVP Length rounded up to 4: the bytes it occupies in the message.</summary>
    public int PaddedLength => (Raw.Length + 3) & ~3;

    /// <summary>Reads Unsigned32 / Enumerated data; false unless the data is exactly 4 bytes (RFC 6733 §4.2).</summary>
    public bool TryGetUInt32(out uint value)
    {
        if (Data.Length == 4)
        {
            value = BinaryPrimitives.ReadUInt32BigEndian(Data);
            return true;
        }

        value = 0;
        return false;
    }

    /// <summary>Reads Unsigned64 data; false unless the data is exactly 8 bytes (RFC 6733 §4.2).</summary>
    public bool TryGetUInt64(out ulong value)
    {
        if (Data.Length == 8)
        {
            value = BinaryPrimitives.ReadUInt64BigEndian(Data);
            return true;
        }

        value = 0;
        return false;
    }

    /// <summary>True when code and vendor match and the V bit agrees with the vendor (a vendor-0 AVP has no V).</summary>
    public bool Is(uint code, uint vendorId) =>
        Code == code && VendorId == vendorId && IsVendorSpecific == (vendorId != VendorIds.Ietf);
}
