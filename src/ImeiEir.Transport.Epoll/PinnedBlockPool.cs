using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace ImeiEir.Transport.Epoll;

/// <summary>
/// Fixed-size blocks on the pinned object heap, reused forever (as Kestrel's own pool does). The shared
/// <see cref="MemoryPool{T}"/> allocates an owner object on every rent; the transport rents a block per receive,
/// so that would be an allocation per read. Pinned, so a block's address can go to recv/writev without a
/// <c>fixed</c> per call, and the GC never moves it.
/// </summary>
internal sealed class PinnedBlockPool : MemoryPool<byte>
{
    public const int DefaultBlockSize = 16 * 1024;

    private readonly ConcurrentQueue<Block> _free = new();
    private readonly int _blockSize;

    public PinnedBlockPool(int blockSize = DefaultBlockSize) => _blockSize = blockSize;

    public override int MaxBufferSize => _blockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        if (minBufferSize > _blockSize)
            throw new ArgumentOutOfRangeException(nameof(minBufferSize), minBufferSize, $"blocks are {_blockSize} bytes");
        return _free.TryDequeue(out Block? block) ? block : new Block(this, _blockSize);
    }

    protected override void Dispose(bool disposing) => _free.Clear();

    private void Return(Block block) => _free.Enqueue(block);

    private sealed class Block : MemoryManager<byte>
    {
        private readonly PinnedBlockPool _pool;
        private readonly byte[] _array;

        public Block(PinnedBlockPool pool, int size)
        {
            _pool = pool;
            _array = GC.AllocateUninitializedArray<byte>(size, pinned: true);
        }

        public override Span<byte> GetSpan() => _array;

        public override unsafe MemoryHandle Pin(int elementIndex = 0) =>
            new((byte*)Marshal.UnsafeAddrOfPinnedArrayElement(_array, elementIndex));

        public override void Unpin()
        {
        }

        // The pipe disposes a segment's owner when it is done with it: that is the return to the pool.
        protected override void Dispose(bool disposing) => _pool.Return(this);
    }
}
