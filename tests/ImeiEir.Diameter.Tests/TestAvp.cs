using System.Text;

namespace ImeiEir.Diameter.Tests;

/// <summary>An independent test-side encoder (not the library's MessageWriter) for crafting requests.</summary>
internal static class TestAvp
{
    public static byte[] Encode(uint code, byte flags, uint vendorId, byte[] data, int? lengthOverride = null)
    {
        bool vendor = (flags & 0x80) != 0;
        int header = vendor ? 12 : 8;
        int length = lengthOverride ?? header + data.Length;
        var bytes = new List<byte>();
        bytes.AddRange(Be32(code));
        bytes.Add(flags);
        bytes.Add((byte)(length >> 16));
        bytes.Add((byte)(length >> 8));
        bytes.Add((byte)length);
        if (vendor)
        {
            bytes.AddRange(Be32(vendorId));
        }

        bytes.AddRange(data);
        while (bytes.Count % 4 != 0)
        {
            bytes.Add(0);
        }

        return bytes.ToArray();
    }

    public static byte[] Utf8(uint code, string value, byte flags = AvpFlags.Mandatory, uint vendorId = 0) =>
        Encode(code, flags, vendorId, Encoding.UTF8.GetBytes(value));

    public static byte[] U32(uint code, uint value, byte flags = AvpFlags.Mandatory, uint vendorId = 0) =>
        Encode(code, flags, vendorId, Be32(value));

    public static byte[] Grouped(uint code, byte flags, uint vendorId, params byte[][] children) =>
        Encode(code, flags, vendorId, children.SelectMany(c => c).ToArray());

    public static byte[] Tgpp(uint code, string value) => Utf8(code, value, AvpFlags.VendorMandatory, VendorIds.ThreeGpp);

    public static byte[] Message(byte flags, uint command, uint application, uint hopByHop, uint endToEnd, IEnumerable<byte[]> avps)
    {
        byte[] body = avps.SelectMany(a => a).ToArray();
        int length = 20 + body.Length;
        var bytes = new List<byte> { 1, (byte)(length >> 16), (byte)(length >> 8), (byte)length, flags };
        bytes.AddRange(Be32(command).Skip(1));
        bytes.AddRange(Be32(application));
        bytes.AddRange(Be32(hopByHop));
        bytes.AddRange(Be32(endToEnd));
        bytes.AddRange(body);
        return bytes.ToArray();
    }

    public static byte[] Be32(uint value) => [(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value];
}
