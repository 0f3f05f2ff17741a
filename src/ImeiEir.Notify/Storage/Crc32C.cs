using System.Buffers.Binary;
using System.Numerics;

namespace ImeiEir.Notify.Storage;

/// <summary>CRC-32C (Castagnoli, as iSCSI and ext4 use it) with the CPU's CRC32 instruction where there is one.</summary>
internal static class Crc32C
{
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint crc = ~0u;
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }
        foreach (byte b in data) crc = BitOperations.Crc32C(crc, b);
        return ~crc;
    }
}
