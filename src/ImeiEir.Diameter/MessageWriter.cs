using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace ImeiEir.Diameter;

/// <summary>
/// Writes a Diameter message straight into a caller-provided span (docs/ARCHITECTURE.md, convention 5: the server passes
/// <c>PipeWriter.GetSpan</c>), patching lengths afterwards instead of measuring first.
/// <code>
/// WriteHeader ─► | header, length 0 | AVP | AVP | Grouped hdr | child | child | ...
///                     ▲ Finish patches            ▲ EndGrouped patches
/// </code>
/// Every AVP is zero-padded to 4 bytes (RFC 6733 §4.1): spans from a pool are not zeroed.
/// Running out of room throws (a caller bug: size the span with the Max*Length helpers).
/// </summary>
public ref struct MessageWriter
{
    private readonly Span<byte> _destination;
    private int _position;
    private int _headerStart;

    /// <summary>Creates a writer at the start of <paramref name="destination"/>.</summary>
    public MessageWriter(Span<byte> destination)
    {
        _destination = destination;
        _position = 0;
        _headerStart = -1;
    }

    /// <summary>Bytes written so far.</summary>
    public readonly int Position => _position;

    /// <summary>Writes the 20-byte header with version 1 and a zero length that <see cref="Finish"/> patches.</summary>
    public void WriteHeader(byte flags, uint commandCode, uint applicationId, uint hopByHopId, uint endToEndId)
    {
        Span<byte> header = Reserve(DiameterHeader.Size);
        new DiameterHeader(DiameterHeader.CurrentVersion, 0, flags, commandCode, applicationId, hopByHopId, endToEndId).WriteTo(header);
        _headerStart = _position;
        _position += DiameterHeader.Size;
    }

    /// <summary>Writes one AVP; <paramref name="vendorId"/> is written only when <paramref name="flags"/> has the V bit.</summary>
    public void WriteAvp(uint code, byte flags, uint vendorId, scoped ReadOnlySpan<byte> data)
    {
        WriteAvpHeader(code, flags, vendorId, data.Length);
        Span<byte> body = Reserve(Pad(data.Length));
        data.CopyTo(body);
        body[data.Length..].Clear();
        _position += body.Length;
    }

    /// <summary>Writes an Unsigned32 / Enumerated AVP.</summary>
    public void WriteUInt32Avp(uint code, byte flags, uint vendorId, uint value)
    {
        WriteAvpHeader(code, flags, vendorId, sizeof(uint));
        BinaryPrimitives.WriteUInt32BigEndian(Reserve(sizeof(uint)), value);
        _position += sizeof(uint);
    }

    /// <summary>Writes an Unsigned64 AVP.</summary>
    public void WriteUInt64Avp(uint code, byte flags, uint vendorId, ulong value)
    {
        WriteAvpHeader(code, flags, vendorId, sizeof(ulong));
        BinaryPrimitives.WriteUInt64BigEndian(Reserve(sizeof(ulong)), value);
        _position += sizeof(ulong);
    }

    /// <summary>
    /// Writes an Address AVP (RFC 6733 §4.3.1): a 2-byte IANA address family (1 IPv4, 2 IPv6) and the address bytes.
    /// <code>
    /// | AVP header | family (2) | address (4 or 16) | pad |
    /// </code>
    /// </summary>
    public void WriteAddressAvp(uint code, byte flags, IPAddress address)
    {
        ushort family = address.AddressFamily == AddressFamily.InterNetworkV6 ? (ushort)2 : (ushort)1;
        int addressLength = family == 2 ? 16 : 4;
        WriteAvpHeader(code, flags, 0, 2 + addressLength);
        Span<byte> body = Reserve(Pad(2 + addressLength));
        BinaryPrimitives.WriteUInt16BigEndian(body, family);
        address.TryWriteBytes(body[2..], out _);
        body[(2 + addressLength)..].Clear();
        _position += body.Length;
    }

    /// <summary>Copies AVPs that are already encoded and padded (docs/ARCHITECTURE.md, convention 5: constant AVPs are encoded once).</summary>
    public void WriteRaw(scoped ReadOnlySpan<byte> preEncodedPaddedAvps)
    {
        preEncodedPaddedAvps.CopyTo(Reserve(preEncodedPaddedAvps.Length));
        _position += preEncodedPaddedAvps.Length;
    }

    /// <summary>Starts a Grouped AVP; write its children, then pass the returned token to <see cref="EndGrouped"/>.</summary>
    public int BeginGrouped(uint code, byte flags, uint vendorId)
    {
        int token = _position;
        WriteAvpHeader(code, flags, vendorId, 0);
        return token;
    }

    /// <summary>
    /// Ends a Grouped AVP: patches its length to cover the children with their padding (RFC 6733 §4.4), so the group
    /// itself never needs padding.
    /// </summary>
    public void EndGrouped(int token)
    {
        if ((uint)token > (uint)(_position - Avp.HeaderSize))
        {
            ThrowHelper.ThrowInvalidToken();
        }

        PatchLength(_destination[(token + 4)..], _position - token);
    }

    /// <summary>Patches the message length; returns the total bytes written.</summary>
    public int Finish()
    {
        if (_headerStart < 0)
        {
            ThrowHelper.ThrowNoHeader();
        }

        PatchLength(_destination[_headerStart..], _position - _headerStart);
        return _position;
    }

    /// <summary>Copies an AVP given as header + data (unpadded) and pads it.</summary>
    internal void WriteAvpCopy(scoped ReadOnlySpan<byte> rawAvp)
    {
        Span<byte> body = Reserve(Pad(rawAvp.Length));
        rawAvp.CopyTo(body);
        body[rawAvp.Length..].Clear();
        _position += body.Length;
    }

    /// <summary>Writes <paramref name="count"/> zero bytes (example AVP data for 5005, RFC 6733 §7.5).</summary>
    internal void WriteZeros(int count)
    {
        Reserve(count).Clear();
        _position += count;
    }

    /// <summary>Writes an AVP header for <paramref name="dataLength"/> bytes of data; returns the header length.</summary>
    internal int WriteAvpHeader(uint code, byte flags, uint vendorId, int dataLength)
    {
        bool hasVendor = (flags & AvpFlags.Vendor) != 0;
        int headerLength = hasVendor ? Avp.VendorHeaderSize : Avp.HeaderSize;
        int length = headerLength + dataLength;
        if ((uint)length > DiameterHeader.MaxLength)
        {
            ThrowHelper.ThrowAvpTooLong();
        }

        Span<byte> header = Reserve(headerLength);
        BinaryPrimitives.WriteUInt32BigEndian(header, code);
        BinaryPrimitives.WriteUInt32BigEndian(header[4..], ((uint)flags << 24) | (uint)length);
        if (hasVendor)
        {
            BinaryPrimitives.WriteUInt32BigEndian(header[8..], vendorId);
        }

        _position += headerLength;
        return headerLength;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly Span<byte> Reserve(int count)
    {
        if ((uint)count > (uint)(_destination.Length - _position))
        {
            ThrowHelper.ThrowDestinationTooSmall();
        }

        return _destination.Slice(_position, count);
    }

    private static int Pad(int length) => (length + 3) & ~3;

    // Writes a 24-bit big-endian length into the 3 bytes after the version (header) or flags (AVP) byte, keeping that byte.
    private static void PatchLength(Span<byte> flagsAndLength, int length)
    {
        if ((uint)length > DiameterHeader.MaxLength)
        {
            ThrowHelper.ThrowAvpTooLong();
        }

        flagsAndLength[1] = (byte)(length >> 16);
        flagsAndLength[2] = (byte)(length >> 8);
        flagsAndLength[3] = (byte)length;
    }
}
