using System.Buffers.Binary;

namespace ImeiEir.Diameter;

/// <summary>
/// Walks a run of AVPs (a message body, or the data of a Grouped AVP) without allocating.
/// <code>
/// | AVP 1 | pad | AVP 2 | pad | ... | AVP n | pad? |
/// ^ Position advances by each padded length
/// </code>
/// The padding after the last AVP of a Grouped AVP may be missing from the span (some peers leave it out of the
/// group's length, RFC 6733 §4.4); the reader tolerates that.
/// </summary>
public ref struct AvpReader
{
    private readonly ReadOnlySpan<byte> _avps;
    private int _position;

    /// <summary>Creates a reader over <paramref name="avps"/>.</summary>
    public AvpReader(ReadOnlySpan<byte> avps)
    {
        _avps = avps;
        _position = 0;
    }

    /// <summary>Offset of the next AVP; after <see cref="AvpReadStatus.InvalidLength"/>, the offset of the bad one.</summary>
    public readonly int Position => _position;

    /// <summary>Reads the next AVP.</summary>
    public AvpReadStatus Read(out Avp avp)
    {
        int remaining = _avps.Length - _position;
        if (remaining <= 0)
        {
            avp = default;
            return AvpReadStatus.End;
        }

        if (remaining < Avp.HeaderSize)
        {
            avp = default;
            return AvpReadStatus.InvalidLength;
        }

        ReadOnlySpan<byte> rest = _avps[_position..];
        uint code = BinaryPrimitives.ReadUInt32BigEndian(rest);
        uint flagsAndLength = BinaryPrimitives.ReadUInt32BigEndian(rest[4..]);
        byte flags = (byte)(flagsAndLength >> 24);
        int length = (int)(flagsAndLength & 0xFFFFFF);
        bool hasVendor = (flags & AvpFlags.Vendor) != 0;
        int headerLength = hasVendor ? Avp.VendorHeaderSize : Avp.HeaderSize;

        if (length < headerLength || length > remaining)
        {
            avp = default;
            return AvpReadStatus.InvalidLength;
        }

        uint vendorId = hasVendor ? BinaryPrimitives.ReadUInt32BigEndian(rest[8..]) : 0;
        avp = new Avp(code, flags, vendorId, rest[..length], headerLength, _position);

        int padded = (length + 3) & ~3;
        _position = padded > remaining ? _avps.Length : _position + padded;
        return AvpReadStatus.Ok;
    }
}
