using System.Buffers.Binary;

namespace ImeiEir.Diameter;

/// <summary>
/// Writes the Failed-AVP of a <see cref="ProtocolError"/> by copying from the request (RFC 6733 §7.5).
/// <code>
/// Failed-AVP 279 (M) { [parent header] { offending AVP | its header | zero-filled example } }
/// </code>
/// </summary>
internal static class FailedAvpWriter
{
    public static void Write(ref MessageWriter writer, ReadOnlySpan<byte> request, in ProtocolError error)
    {
        if (!error.HasFailedAvp || !IsInside(request, error))
        {
            return;
        }

        int failed = writer.BeginGrouped(AvpCodes.FailedAvp, AvpFlags.Mandatory, 0);
        int parent = -1;
        if (error.ParentOffset >= 0)
        {
            ReadHeader(request[error.ParentOffset..], out uint code, out byte flags, out uint vendorId);
            parent = writer.BeginGrouped(code, flags, vendorId);
        }

        switch (error.Kind)
        {
            case ProtocolError.FailedAvpKind.Copy:
                writer.WriteAvpCopy(request.Slice(error.AvpOffset, error.AvpLength));
                break;

            case ProtocolError.FailedAvpKind.HeaderOnly:
                {
                    // RFC 6733 §7.1.5 (5014): "it is sufficient to include the offending AVP header"; a missing tail of
                    // the header is zero-filled. The length is rewritten to the header size so the answer stays
                    // decodable for the peer (the received length is the very thing that cannot be trusted).
                    Span<byte> header = stackalloc byte[Avp.VendorHeaderSize];
                    header.Clear();
                    request.Slice(error.AvpOffset, Math.Min(error.AvpLength, Avp.VendorHeaderSize)).CopyTo(header);
                    ReadHeader(header, out uint code, out byte flags, out uint vendorId);
                    writer.WriteAvpHeader(code, flags, vendorId, 0);
                    break;
                }

            case ProtocolError.FailedAvpKind.Example:
                writer.WriteAvpHeader(error.FailedAvpCode, error.ExampleFlags, error.ExampleVendorId, error.AvpLength);
                writer.WriteZeros((error.AvpLength + 3) & ~3);
                break;
        }

        if (parent >= 0)
        {
            writer.EndGrouped(parent);
        }

        writer.EndGrouped(failed);
    }

    // A ProtocolError made for another message must not make the writer read out of bounds.
    private static bool IsInside(ReadOnlySpan<byte> request, in ProtocolError error)
    {
        if (error.ParentOffset >= 0 && (long)error.ParentOffset + Avp.HeaderSize > request.Length)
        {
            return false;
        }

        return error.Kind == ProtocolError.FailedAvpKind.Example
            || (error.AvpOffset >= 0 && error.AvpLength >= 0 && (long)error.AvpOffset + error.AvpLength <= request.Length);
    }

    private static void ReadHeader(ReadOnlySpan<byte> avp, out uint code, out byte flags, out uint vendorId)
    {
        code = BinaryPrimitives.ReadUInt32BigEndian(avp);
        flags = avp[4];
        vendorId = (flags & AvpFlags.Vendor) != 0 && avp.Length >= Avp.VendorHeaderSize
            ? BinaryPrimitives.ReadUInt32BigEndian(avp[8..])
            : 0;
    }
}
