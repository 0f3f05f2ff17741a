using System.Buffers.Binary;
using System.IO.Hashing;

namespace ImeiEir.Registry;

/// <summary>
/// The <see cref="SequenceIndex"/> persisted beside the log, so that a start reads it instead of scanning every
/// change ever made: written (whole, to a temporary file renamed over the old one) after each view checkpoint,
/// covering changes <c>first</c>..<c>last</c> where <c>last</c> is the checkpoint's sequence.
/// <code>
/// directory/sequence-index
///  header   8 "IMEISEQX"  4 u32 version (1)  8 u64 first  8 u64 last  4 u32 block count
///  blocks   8 i64 base address  512 × 2 u16 offsets           (the index's blocks from first's to last's)
///  trailer  4 u32 CRC-32 of every byte before it
/// </code>
/// All little-endian. A missing, cut or damaged file (CRC mismatch) or one that disagrees with the log (the entry
/// at its last address is not its last change) is not used: the start scans the whole log instead, as before.
/// </summary>
internal static class SequenceIndexFile
{
    public const string FileName = "sequence-index";
    public const int Version = 1;
    private const int HeaderSize = 32;
    private const int BlockBytes = 8 + SequenceIndex.BlockSize * 2;

    private static ReadOnlySpan<byte> Magic => "IMEISEQX"u8;

    /// <summary>Writes the index's changes up to <paramref name="last"/> (all committed) to <paramref name="directory"/>, durably.</summary>
    public static void Write(string directory, SequenceIndex index, ulong last)
    {
        ulong first = index.First;
        if (first == 0 || last < first) return; // nothing retained to save
        string path = Path.Combine(directory, FileName), temporary = path + ".tmp";
        var crc = new Crc32();
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            List<SequenceIndex.Block> blocks = index.BlocksUpTo(last).ToList();
            byte[] header = new byte[HeaderSize];
            Magic.CopyTo(header);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), Version);
            BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(12), first);
            BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(20), last);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(28), (uint)blocks.Count);
            Put(file, crc, header);
            byte[] bytes = new byte[BlockBytes];
            foreach (SequenceIndex.Block block in blocks)
            {
                BinaryPrimitives.WriteInt64LittleEndian(bytes, block.BaseAddress);
                for (int i = 0; i < SequenceIndex.BlockSize; i++)
                    BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8 + i * 2), block.Offsets[i]);
                Put(file, crc, bytes);
            }
            file.Write(crc.GetCurrentHash()); // Crc32 writes little-endian
            file.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>
    /// Reads the persisted index into <paramref name="index"/> (which must be empty); false with the reason when
    /// there is none or it is unusable, leaving the index empty.
    /// </summary>
    public static bool TryRead(string directory, SequenceIndex index, out string? failure)
    {
        string path = Path.Combine(directory, FileName);
        failure = null;
        if (!File.Exists(path)) return false;
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (IOException e)
        {
            failure = $"{path} could not be read: {e.Message}";
            return false;
        }
        if (bytes.Length < HeaderSize + 4 || !bytes.AsSpan(0, 8).SequenceEqual(Magic)
            || BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)) != Version)
        {
            failure = $"{path} is not a version-{Version} sequence index";
            return false;
        }
        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4));
        if (Crc32.HashToUInt32(bytes.AsSpan(0, bytes.Length - 4)) != stored)
        {
            failure = $"{path} is damaged (CRC mismatch)";
            return false;
        }
        ulong first = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(12));
        ulong last = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(20));
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(28));
        ulong expectedBlocks = first == 0 || last < first ? 0 : ((last - 1) >> SequenceIndex.BlockBits) - ((first - 1) >> SequenceIndex.BlockBits) + 1;
        if (expectedBlocks == 0 || count != expectedBlocks || bytes.Length != HeaderSize + (long)count * BlockBytes + 4)
        {
            failure = $"{path} is inconsistent (changes {first}..{last} in {count} blocks, {bytes.Length} bytes)";
            return false;
        }
        var blocks = new List<SequenceIndex.Block>((int)count);
        for (int b = 0; b < count; b++)
        {
            ReadOnlySpan<byte> source = bytes.AsSpan(HeaderSize + b * BlockBytes, BlockBytes);
            var block = new SequenceIndex.Block(BinaryPrimitives.ReadInt64LittleEndian(source));
            for (int i = 0; i < SequenceIndex.BlockSize; i++) block.Offsets[i] = BinaryPrimitives.ReadUInt16LittleEndian(source[(8 + i * 2)..]);
            blocks.Add(block);
        }
        index.Load(first, last, blocks);
        return true;
    }

    /// <summary>Removes the persisted index (the log it described is gone or rebuilt).</summary>
    public static void Delete(string directory) => File.Delete(Path.Combine(directory, FileName));

    private static void Put(FileStream file, Crc32 crc, ReadOnlySpan<byte> bytes)
    {
        crc.Append(bytes);
        file.Write(bytes);
    }
}
