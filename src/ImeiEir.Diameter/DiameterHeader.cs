using System.Buffers.Binary;

namespace ImeiEir.Diameter;

/// <summary>
/// The 20-byte Diameter message header, big-endian (RFC 6733 §3).
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |    Version    |                 Message Length                |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// | command flags |                  Command-Code                 |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                         Application-ID                        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                      Hop-by-Hop Identifier                    |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                      End-to-End Identifier                    |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  AVPs ...
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-
/// </code>
/// Message Length counts the header and all AVPs with their padding, so it is a multiple of 4.
/// </summary>
public readonly struct DiameterHeader
{
    /// <summary>Size of the header in bytes.</summary>
    public const int Size = 20;

    /// <summary>The only defined version (RFC 6733 §3).</summary>
    public const byte CurrentVersion = 1;

    /// <summary>Largest value of the 24-bit Message Length field.</summary>
    public const int MaxLength = 0xFFFFFF;

    /// <summary>Creates a header from its fields; no validation.</summary>
    public DiameterHeader(byte version, int messageLength, byte flags, uint commandCode, uint applicationId, uint hopByHopId, uint endToEndId)
    {
        Version = version;
        MessageLength = messageLength;
        Flags = flags;
        CommandCode = commandCode;
        ApplicationId = applicationId;
        HopByHopId = hopByHopId;
        EndToEndId = endToEndId;
    }

    /// <summary>Version, 1 in every valid message.</summary>
    public byte Version { get; }

    /// <summary>Length of the whole message in bytes, header included (24 bits).</summary>
    public int MessageLength { get; }

    /// <summary>Command flags, see <see cref="DiameterFlags"/>.</summary>
    public byte Flags { get; }

    /// <summary>Command code (24 bits).</summary>
    public uint CommandCode { get; }

    /// <summary>Application identifier.</summary>
    public uint ApplicationId { get; }

    /// <summary>Hop-by-hop identifier; the answer copies it (RFC 6733 §6.2).</summary>
    public uint HopByHopId { get; }

    /// <summary>End-to-end identifier; the answer copies it (RFC 6733 §6.2).</summary>
    public uint EndToEndId { get; }

    /// <summary>R bit.</summary>
    public bool IsRequest => (Flags & DiameterFlags.Request) != 0;

    /// <summary>P bit.</summary>
    public bool IsProxiable => (Flags & DiameterFlags.Proxiable) != 0;

    /// <summary>E bit.</summary>
    public bool IsError => (Flags & DiameterFlags.Error) != 0;

    /// <summary>T bit.</summary>
    public bool IsRetransmit => (Flags & DiameterFlags.Retransmit) != 0;

    /// <summary>Any of the four reserved low flag bits set.</summary>
    public bool HasReservedBits => (Flags & DiameterFlags.Reserved) != 0;

    /// <summary>
    /// Reads a header from the first 20 bytes of <paramref name="source"/>. Returns false only when fewer than
    /// 20 bytes are given; the fields are not validated (see <see cref="FrameScanner"/> for that).
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out DiameterHeader header)
    {
        if (source.Length < Size)
        {
            header = default;
            return false;
        }

        uint word0 = BinaryPrimitives.ReadUInt32BigEndian(source);
        uint word1 = BinaryPrimitives.ReadUInt32BigEndian(source[4..]);
        header = new DiameterHeader(
            version: (byte)(word0 >> 24),
            messageLength: (int)(word0 & 0xFFFFFF),
            flags: (byte)(word1 >> 24),
            commandCode: word1 & 0xFFFFFF,
            applicationId: BinaryPrimitives.ReadUInt32BigEndian(source[8..]),
            hopByHopId: BinaryPrimitives.ReadUInt32BigEndian(source[12..]),
            endToEndId: BinaryPrimitives.ReadUInt32BigEndian(source[16..]));
        return true;
    }

    /// <summary>Writes the 20 header bytes; the length and command code are truncated to 24 bits.</summary>
    public void WriteTo(Span<byte> destination)
    {
        if (destination.Length < Size)
        {
            ThrowHelper.ThrowDestinationTooSmall();
        }

        BinaryPrimitives.WriteUInt32BigEndian(destination, ((uint)Version << 24) | ((uint)MessageLength & 0xFFFFFF));
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], ((uint)Flags << 24) | (CommandCode & 0xFFFFFF));
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], ApplicationId);
        BinaryPrimitives.WriteUInt32BigEndian(destination[12..], HopByHopId);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], EndToEndId);
    }
}
