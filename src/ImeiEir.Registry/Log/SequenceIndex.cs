namespace ImeiEir.Registry;

/// <summary>
/// Where each change lives in the log: sequence number → FasterLog address, exact, for every change, in about
/// 2 bytes per change (10 M changes: 20 MiB).
/// <code>
///  sequences 1..512      513..1024     ...          block b covers sequences 512·b+1 .. 512·b+512
///  +-----------------+  +-----------------+
///  | base: i64       |  | base: i64       |           address of the block's first change
///  | offsets: u16[512]|  | offsets: u16[512]|          address − base for each change of the block
///  +-----------------+  +-----------------+
/// </code>
/// Every log entry has the same payload (<see cref="LogEntry.Size"/>), so 512 entries span about 30 KiB plus at most a
/// few page-end gaps smaller than one entry: an offset always fits in 16 bits. Rebuilt at open from the log scan
/// (which recovery needs anyway), appended to as changes are enqueued. A lookup is two array reads, so the feed
/// positions a reader at any <c>after</c> in O(1), and history follows its chain with one exact read per change.
/// </summary>
/// <remarks>
/// One writer (the registry's serialised batch writer) appends; readers look up only sequences up to the
/// published sequence (<see cref="PublishedSequence"/>), whose volatile write orders the entries before it.
/// </remarks>
internal sealed class SequenceIndex
{
    private const int BlockBits = 9;
    private const int BlockSize = 1 << BlockBits;

    private Block[] _blocks = new Block[64];
    private ulong _count;

    private sealed class Block(long baseAddress)
    {
        public readonly long BaseAddress = baseAddress;
        public readonly ushort[] Offsets = new ushort[BlockSize];
    }

    /// <summary>Highest sequence recorded (including appended but not yet committed).</summary>
    public ulong Count => _count;

    /// <summary>Approximate memory held, for metrics.</summary>
    public long Bytes => _blocks.Length * 8L + (long)((_count + BlockSize - 1) / BlockSize) * (BlockSize * 2 + 32);

    /// <summary>Records that change <paramref name="sequence"/> (which must be <see cref="Count"/> + 1) is at <paramref name="address"/>.</summary>
    public void Add(ulong sequence, long address)
    {
        if (sequence != _count + 1)
            throw new InvalidOperationException($"change {sequence} recorded after {_count}: the log's sequence numbers are not contiguous");
        ulong index = sequence - 1;
        int blockIndex = checked((int)(index >> BlockBits));
        int slot = (int)(index & (BlockSize - 1));
        Block[] blocks = _blocks;
        if (blockIndex == blocks.Length)
        {
            Array.Resize(ref blocks, blocks.Length * 2);
            Volatile.Write(ref _blocks, blocks);
        }
        Block block;
        if (slot == 0)
        {
            block = new Block(address);
            Volatile.Write(ref blocks[blockIndex], block);
        }
        else
        {
            block = blocks[blockIndex];
        }
        long offset = address - block.BaseAddress;
        if (offset is < 0 or > ushort.MaxValue)
            throw new InvalidOperationException($"change {sequence} at address {address} is {offset} bytes from its block's first change: log entries are not the fixed size the index assumes");
        block.Offsets[slot] = (ushort)offset;
        Volatile.Write(ref _count, sequence);
    }

    /// <summary>The log address of change <paramref name="sequence"/> (1 ≤ sequence ≤ <see cref="Count"/>).</summary>
    public long AddressOf(ulong sequence)
    {
        if (sequence == 0 || sequence > Volatile.Read(ref _count))
            throw new ArgumentOutOfRangeException(nameof(sequence), sequence, "no such change in the log");
        ulong index = sequence - 1;
        Block block = Volatile.Read(ref _blocks)[index >> BlockBits];
        return block.BaseAddress + block.Offsets[index & (BlockSize - 1)];
    }
}
