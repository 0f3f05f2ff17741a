using System.Runtime.CompilerServices;
using FASTER.core;
using ImeiEir.Core;

namespace ImeiEir.Store;

/// <summary>
/// One owner's handle on the <see cref="ImeiStore"/>: one per connection or worker, used from one thread at
/// a time and never across an <c>await</c> (FASTER sessions carry per-thread epoch state).
/// </summary>
public sealed partial class ImeiStoreSession : IDisposable
{
    private readonly ImeiStore _store;
    private readonly ClientSession<long, ImeiRecord, Empty, ImeiRecord, Empty, StoreFunctions> _session;
    private readonly UnsafeContext<long, ImeiRecord, Empty, ImeiRecord, Empty, StoreFunctions> _batch;
    private bool _inBatch;

    internal ImeiStoreSession(ImeiStore store, ClientSession<long, ImeiRecord, Empty, ImeiRecord, Empty, StoreFunctions> session)
    {
        _store = store;
        _session = session;
        _batch = session.UnsafeContext;
    }

    /// <summary>Whether the store holds a whole state (<see cref="ImeiStore.IsComplete"/>): one volatile read.</summary>
    public bool IsStoreComplete => _store.IsComplete;

    /// <summary>
    /// Enters FASTER's epoch once for a batch of operations (one read batch of a connection) instead of once per
    /// operation: every <see cref="ClientSession{Key, Value, Input, Output, Context, Functions}"/> call otherwise
    /// resumes and suspends the epoch around itself, a large share of a lookup (measured in perf-baselines/README.md).
    /// The batch must be synchronous: call <see cref="ExitBatch"/> on the same thread before any <c>await</c>, or a
    /// checkpoint waits for it. Not reentrant.
    /// </summary>
    public void EnterBatch()
    {
        if (_inBatch) ThrowBatchState(entering: true);
        _batch.BeginUnsafe();
        _inBatch = true;
    }

    /// <summary>Leaves the epoch entered by <see cref="EnterBatch"/>.</summary>
    public void ExitBatch()
    {
        if (!_inBatch) ThrowBatchState(entering: false);
        _inBatch = false;
        _batch.EndUnsafe();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowBatchState(bool entering) =>
        throw new InvalidOperationException(entering ? "EnterBatch called inside a batch." : "ExitBatch called outside a batch.");

    /// <summary>
    /// Looks an IMEI up. The hot path: no allocation, and no disk read while the log fits in memory. Should a
    /// record have spilled to the device, the read completes synchronously and is counted in
    /// <see cref="StoreStatistics.DiskReads"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGet(Imei imei, out ImeiRecord record)
    {
        long key = (long)imei.Key;
        record = default;
        Status status = _inBatch ? _batch.Read(ref key, ref record) : _session.Read(ref key, ref record);
        if (status.IsPending) return CompletePendingRead(out record);
        return status.Found;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool CompletePendingRead(out ImeiRecord record)
    {
        _store.CountDiskRead();
        record = default;
        bool found = false;
        CompletedOutputIterator<long, ImeiRecord, Empty, ImeiRecord, Empty> outputs;
        if (_inBatch) _batch.CompletePendingWithOutputs(out outputs, wait: true);
        else _session.CompletePendingWithOutputs(out outputs, wait: true);
        using (outputs)
        {
            while (outputs.Next())
            {
                ref CompletedOutput<long, ImeiRecord, Empty, ImeiRecord, Empty> completed = ref outputs.Current;
                found = completed.Status.Found;
                record = found ? completed.Output : default;
            }
        }
        return found;
    }

    /// <summary>
    /// Starts loading the hash bucket of <paramref name="imei"/> into the CPU cache and returns at once. In a
    /// batch, call it for the IMEI about <see cref="PrefetchDistance"/> operations ahead of the one being done, so
    /// the misses of a large index overlap instead of stalling one after the other. Only a hint: it changes no
    /// state and costs a few nanoseconds when the bucket is already cached.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Prefetch(Imei imei) => _store.Index.Prefetch((long)imei.Key);

    /// <summary>
    /// How far ahead to <see cref="Prefetch"/>: enough misses in flight to cover memory latency (a core tracks
    /// 10-12), few enough that a bucket is still cached when its turn comes. A power of two
    /// (<see cref="PrefetchWindow{T}"/> indexes its ring with a mask).
    /// </summary>
    public const int PrefetchDistance = 16;

    /// <summary>Inserts or replaces the record of an IMEI.</summary>
    public void Upsert(Imei imei, in ImeiRecord record)
    {
        long key = (long)imei.Key;
        ImeiRecord value = record;
        Status status = _inBatch ? _batch.Upsert(ref key, ref value) : _session.Upsert(ref key, ref value);
        if (status.IsPending) CompletePending();
    }

    /// <summary>Removes the record of an IMEI; returns whether there was one.</summary>
    public bool Delete(Imei imei)
    {
        bool existed = TryGet(imei, out _);
        long key = (long)imei.Key;
        Status status = _inBatch ? _batch.Delete(ref key) : _session.Delete(ref key);
        if (status.IsPending) CompletePending();
        return existed;
    }

    private void CompletePending()
    {
        if (_inBatch) _batch.CompletePending(wait: true);
        else _session.CompletePending(wait: true);
    }

    /// <summary>Ends the session (leaving a batch left open by an exception first).</summary>
    public void Dispose()
    {
        if (_inBatch) ExitBatch();
        _session.Dispose();
    }
}
