namespace ImeiEir.Registry;

/// <summary>
/// Where each change lives in the log: sequence number → FasterLog address, exact, for every change from the log's
/// first retained one, in about 2 bytes per change (10 M changes: 20 MiB).
/// <code>
///  sequences 1..512      513..1024     ...          block b covers sequences 512·b+1 .. 512·b+512
///  +-----------------+  +-----------------+
///  | base: i64       |  | base: i64       |           address of the block's first indexed change
///  | offsets: u16[512]|  | offsets: u16[512]|          address − base for each change of the block
///  +-----------------+  +-----------------+
/// </code>
/// Every log entry has the same payload (<see cref="LogEntry.Size"/>), so 512 entries span about 30 KiB plus at most a
/// few page-end gaps smaller than one entry: an offset always fits in 16 bits. Blocks below the log's first retained
/// change (after truncation, <see cref="DropBelow"/>) are released. Built at open from the persisted copy
/// (<see cref="SequenceIndexFile"/>) plus a scan of the log after it, or from a scan of the whole log, and appended
/// to as changes are enqueued. A lookup is two array reads, so the feed positions a reader at any <c>after</c> in
/// O(1), and history follows its chain with one exact read per change.
/// </summary>
/// <remarks>
/// One writer (the registry's serialised batch writer) appends; readers look up only sequences up to the
/// published sequence (<see cref="PublishedSequence"/>), whose volatile write orders the entries before it.
/// </remarks>
internal sealed class SequenceIndex
{
    internal const int BlockBits = 9;
    internal const int BlockSize = 1 << BlockBits;

    private Block?[] _blocks = new Block?[64];
    private ulong _first;
    private ulong _count;
    private Func<int, Block>? _load; // decodes a block of the persisted copy on first use (Load)
    private int _loadEnd;             // blocks below this may still be in the persisted copy only

    internal sealed class Block(long baseAddress)
    {
        public readonly long BaseAddress = baseAddress;
        public readonly ushort[] Offsets = new ushort[BlockSize];
    }

    /// <summary>Highest sequence recorded (including appended but not yet committed); 0 when empty.</summary>
    public ulong Count => Volatile.Read(ref _count);

    /// <summary>Lowest sequence recorded (the log's first retained change); 0 when empty.</summary>
    public ulong First => Volatile.Read(ref _first);

    /// <summary>Approximate memory held, for metrics.</summary>
    public long Bytes => _blocks.Length * 8L + (long)((Count - First + BlockSize) / BlockSize) * (BlockSize * 2 + 32);

    /// <summary>
    /// Records that change <paramref name="sequence"/> is at <paramref name="address"/>: the first one recorded may
    /// have any number (a truncated log starts past 1), every later one must be <see cref="Count"/> + 1.
    /// </summary>
    public void Add(ulong sequence, long address)
    {
        if (_count == 0 ? sequence == 0 : sequence != _count + 1)
            throw new InvalidOperationException($"change {sequence} recorded after {_count}: the log's sequence numbers are not contiguous");
        ulong index = sequence - 1;
        int blockIndex = checked((int)(index >> BlockBits));
        int slot = (int)(index & (BlockSize - 1));
        Block?[] blocks = _blocks;
        if (blockIndex >= blocks.Length)
        {
            Array.Resize(ref blocks, Math.Max(blocks.Length * 2, blockIndex + 1));
            Volatile.Write(ref _blocks, blocks);
        }
        Block? block = _count == 0 ? null : BlockAt(blocks, blockIndex);
        if (slot == 0 || block is null)
        {
            // The base is the block's first indexed change: offsets of earlier slots are never read.
            block = new Block(address);
            Volatile.Write(ref blocks[blockIndex], block);
        }
        long offset = address - block.BaseAddress;
        if (offset is < 0 or > ushort.MaxValue)
            throw new InvalidOperationException($"change {sequence} at address {address} is {offset} bytes from its block's first change: log entries are not the fixed size the index assumes");
        block.Offsets[slot] = (ushort)offset;
        if (_count == 0) Volatile.Write(ref _first, sequence);
        Volatile.Write(ref _count, sequence);
    }

    /// <summary>
    /// Takes changes <paramref name="first"/>..<paramref name="count"/> from the persisted index (only into an empty
    /// index): each block is decoded by <paramref name="load"/> (given its number) when first used, so a start pays
    /// for the blocks it touches, not for every change ever indexed.
    /// </summary>
    internal void Load(ulong first, ulong count, Func<int, Block> load)
    {
        if (_count != 0) throw new InvalidOperationException("The index is not empty.");
        int lastBlock = (int)((count - 1) >> BlockBits);
        _blocks = new Block?[Math.Max(64, lastBlock + 1)];
        _load = load;
        _loadEnd = lastBlock + 1;
        _first = first;
        _count = count;
    }

    /// <summary>
    /// The block, decoded from the persisted copy on first use. Two threads may both decode it; the first installed
    /// wins and both use it (the writer may already be appending to it).
    /// </summary>
    private Block? BlockAt(Block?[] blocks, int index)
    {
        Block? block = Volatile.Read(ref blocks[index]);
        if (block is not null || index >= _loadEnd || _load is not { } load || index < (int)((First - 1) >> BlockBits)) return block;
        return Interlocked.CompareExchange(ref blocks[index], load(index), null) ?? blocks[index];
    }

    /// <summary>The blocks holding changes <see cref="First"/>..<paramref name="last"/>, in order (for the persisted copy).</summary>
    internal IEnumerable<Block> BlocksUpTo(ulong last)
    {
        Block?[] blocks = Volatile.Read(ref _blocks);
        ulong first = First;
        if (first == 0 || last < first) yield break;
        for (int b = (int)((first - 1) >> BlockBits); b <= (int)((last - 1) >> BlockBits); b++) yield return BlockAt(blocks, b)!;
    }

    /// <summary>Whether <paramref name="sequence"/> is indexed (retained and recorded).</summary>
    public bool Contains(ulong sequence) => sequence != 0 && sequence >= First && sequence <= Count;

    /// <summary>
    /// Forgets the changes below <paramref name="first"/> (the log was truncated there): lookups of them fail, and
    /// whole blocks below are released.
    /// </summary>
    public void DropBelow(ulong first)
    {
        if (first <= First) return;
        if (first > Count) throw new ArgumentOutOfRangeException(nameof(first), first, $"the index ends at change {Count}");
        Volatile.Write(ref _first, first);
        Block?[] blocks = Volatile.Read(ref _blocks);
        for (int b = 0; b < (int)((first - 1) >> BlockBits); b++) Volatile.Write(ref blocks[b], null);
    }

    /// <summary>The log address of change <paramref name="sequence"/> (<see cref="First"/> ≤ sequence ≤ <see cref="Count"/>).</summary>
    public long AddressOf(ulong sequence)
    {
        if (sequence == 0 || sequence < Volatile.Read(ref _first) || sequence > Volatile.Read(ref _count))
            throw new ArgumentOutOfRangeException(nameof(sequence), sequence, "no such change in the log");
        ulong index = sequence - 1;
        Block? block = BlockAt(Volatile.Read(ref _blocks), (int)(index >> BlockBits));
        if (block is null) throw new ArgumentOutOfRangeException(nameof(sequence), sequence, "no such change in the log (truncated)");
        return block.BaseAddress + block.Offsets[index & (BlockSize - 1)];
    }
}
