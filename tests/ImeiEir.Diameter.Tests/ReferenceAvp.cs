using System.Text;

namespace ImeiEir.Diameter.Tests;

/// <summary>One AVP as the slow reference parser sees it.</summary>
internal sealed record RefAvp(int Offset, uint Code, byte Flags, uint VendorId, byte[] Data, byte[] Raw)
{
    public string Text => Encoding.UTF8.GetString(Data);

    public uint UInt32 => Data.Length == 4 ? (uint)((Data[0] << 24) | (Data[1] << 16) | (Data[2] << 8) | Data[3]) : throw new InvalidOperationException("not 4 bytes");

    public IReadOnlyList<RefAvp> Children => ReferenceAvpParser.Parse(Data).Avps;
}

internal sealed record RefParse(IReadOnlyList<RefAvp> Avps, int? ErrorOffset);

/// <summary>
/// Deliberately slow, obviously correct AVP parser (RFC 6733 §4.1), written from the RFC text with plain arithmetic
/// on arrays, to check the fast <see cref="AvpReader"/> against.
/// </summary>
internal static class ReferenceAvpParser
{
    public static RefParse Parse(byte[] bytes)
    {
        var avps = new List<RefAvp>();
        int at = 0;
        while (at < bytes.Length)
        {
            if (bytes.Length - at < 8)
            {
                return new RefParse(avps, at);
            }

            uint code = Be32(bytes, at);
            byte flags = bytes[at + 4];
            int length = (bytes[at + 5] << 16) | (bytes[at + 6] << 8) | bytes[at + 7];
            bool vendor = (flags & 0x80) != 0;
            int header = vendor ? 12 : 8;
            if (length < header || at + length > bytes.Length)
            {
                return new RefParse(avps, at);
            }

            uint vendorId = vendor ? Be32(bytes, at + 8) : 0;
            byte[] raw = bytes.Skip(at).Take(length).ToArray();
            avps.Add(new RefAvp(at, code, flags, vendorId, raw.Skip(header).ToArray(), raw));

            int padded = length % 4 == 0 ? length : length + (4 - length % 4);
            at = Math.Min(at + padded, bytes.Length);
        }

        return new RefParse(avps, null);
    }

    /// <summary>The AVPs of a whole message (after the 20-byte header).</summary>
    public static IReadOnlyList<RefAvp> MessageAvps(byte[] message)
    {
        int length = (message[1] << 16) | (message[2] << 8) | message[3];
        RefParse parse = Parse(message.Skip(20).Take(length - 20).ToArray());
        Assert.That(parse.ErrorOffset, Is.Null, "the message's AVPs must parse");
        return parse.Avps;
    }

    public static RefAvp Single(this IReadOnlyList<RefAvp> avps, uint code) => avps.Single(a => a.Code == code);

    public static RefAvp? Find(this IReadOnlyList<RefAvp> avps, uint code) => avps.FirstOrDefault(a => a.Code == code);

    private static uint Be32(byte[] b, int at) => (uint)((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]);
}
