using System.Runtime.CompilerServices;
using FASTER.core;
using ImeiEir.Core;

namespace ImeiEir.Store;

/// <summary>
/// FASTER callbacks for the blittable (long key, <see cref="ImeiRecord"/> value) store. A <c>struct</c>, so the
/// session type <c>ClientSession&lt;..., StoreFunctions&gt;</c> is specialised by the JIT and every callback is a
/// direct, inlinable call (docs/ARCHITECTURE.md, convention 10; FASTER <c>cs/benchmark/Functions.cs</c>). The store only reads, upserts
/// and deletes: the RMW callbacks are never used but the interface requires them.
/// </summary>
internal struct StoreFunctions : IFunctions<long, ImeiRecord, Empty, ImeiRecord, Empty>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool SingleReader(ref long key, ref Empty input, ref ImeiRecord value, ref ImeiRecord dst, ref ReadInfo readInfo)
    {
        dst = value;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool ConcurrentReader(ref long key, ref Empty input, ref ImeiRecord value, ref ImeiRecord dst, ref ReadInfo readInfo)
    {
        dst = value;
        return true;
    }

    public void ReadCompletionCallback(ref long key, ref Empty input, ref ImeiRecord output, Empty ctx, Status status, RecordMetadata recordMetadata) { }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool SingleWriter(ref long key, ref Empty input, ref ImeiRecord src, ref ImeiRecord dst, ref ImeiRecord output, ref UpsertInfo upsertInfo, WriteReason reason)
    {
        dst = src;
        return true;
    }

    public void PostSingleWriter(ref long key, ref Empty input, ref ImeiRecord src, ref ImeiRecord dst, ref ImeiRecord output, ref UpsertInfo upsertInfo, WriteReason reason) { }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool ConcurrentWriter(ref long key, ref Empty input, ref ImeiRecord src, ref ImeiRecord dst, ref ImeiRecord output, ref UpsertInfo upsertInfo)
    {
        dst = src;
        return true;
    }

    public bool NeedInitialUpdate(ref long key, ref Empty input, ref ImeiRecord output, ref RMWInfo rmwInfo) => false;

    public bool InitialUpdater(ref long key, ref Empty input, ref ImeiRecord value, ref ImeiRecord output, ref RMWInfo rmwInfo) => false;

    public void PostInitialUpdater(ref long key, ref Empty input, ref ImeiRecord value, ref ImeiRecord output, ref RMWInfo rmwInfo) { }

    public bool NeedCopyUpdate(ref long key, ref Empty input, ref ImeiRecord oldValue, ref ImeiRecord output, ref RMWInfo rmwInfo) => false;

    public bool CopyUpdater(ref long key, ref Empty input, ref ImeiRecord oldValue, ref ImeiRecord newValue, ref ImeiRecord output, ref RMWInfo rmwInfo)
    {
        newValue = oldValue;
        return true;
    }

    public void PostCopyUpdater(ref long key, ref Empty input, ref ImeiRecord oldValue, ref ImeiRecord newValue, ref ImeiRecord output, ref RMWInfo rmwInfo) { }

    public bool InPlaceUpdater(ref long key, ref Empty input, ref ImeiRecord value, ref ImeiRecord output, ref RMWInfo rmwInfo) => true;

    public void RMWCompletionCallback(ref long key, ref Empty input, ref ImeiRecord output, Empty ctx, Status status, RecordMetadata recordMetadata) { }

    public bool SingleDeleter(ref long key, ref ImeiRecord value, ref DeleteInfo deleteInfo)
    {
        value = default;
        return true;
    }

    public void PostSingleDeleter(ref long key, ref DeleteInfo deleteInfo) { }

    public bool ConcurrentDeleter(ref long key, ref ImeiRecord value, ref DeleteInfo deleteInfo)
    {
        value = default;
        return true;
    }

    public void DisposeSingleWriter(ref long key, ref Empty input, ref ImeiRecord src, ref ImeiRecord dst, ref ImeiRecord output, ref UpsertInfo upsertInfo, WriteReason reason) { }

    public void DisposeCopyUpdater(ref long key, ref Empty input, ref ImeiRecord oldValue, ref ImeiRecord newValue, ref ImeiRecord output, ref RMWInfo rmwInfo) { }

    public void DisposeInitialUpdater(ref long key, ref Empty input, ref ImeiRecord value, ref ImeiRecord output, ref RMWInfo rmwInfo) { }

    public void DisposeSingleDeleter(ref long key, ref ImeiRecord value, ref DeleteInfo deleteInfo) { }

    public void DisposeDeserializedFromDisk(ref long key, ref ImeiRecord value) { }

    public void CheckpointCompletionCallback(int sessionID, string sessionName, CommitPoint commitPoint) { }
}
