using System.Runtime.CompilerServices;
using FASTER.core;
using ImeiEir.Core;

namespace ImeiEir.Store;

/// <summary>
/// One owner's handle on the <see cref="ImeiStore"/>: one per connection or worker, used from one thread at
/// a time and never across an <c>await</c> (FASTER sessions carry per-thread epoch state).
/// </summary>
public sealed class ImeiStoreSession : IDisposable
{
    private readonly ImeiStore _store;
    private readonly ClientSession<long, ImeiRecord, Empty, ImeiRecord, Empty, StoreFunctions> _session;

    internal ImeiStoreSession(ImeiStore store, ClientSession<long, ImeiRecord, Empty, ImeiRecord, Empty, StoreFunctions> session)
    {
        _store = store;
        _session = session;
    }

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
        Status status = _session.Read(ref key, ref record);
        if (status.IsPending) return CompletePendingRead(out record);
        return status.Found;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool CompletePendingRead(out ImeiRecord record)
    {
        _store.CountDiskRead();
        record = default;
        bool found = false;
        _session.CompletePendingWithOutputs(out CompletedOutputIterator<long, ImeiRecord, Empty, ImeiRecord, Empty> outputs, wait: true);
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

    /// <summary>Inserts or replaces the record of an IMEI.</summary>
    public void Upsert(Imei imei, in ImeiRecord record)
    {
        long key = (long)imei.Key;
        ImeiRecord value = record;
        Status status = _session.Upsert(ref key, ref value);
        if (status.IsPending) _session.CompletePending(wait: true);
    }

    /// <summary>Removes the record of an IMEI; returns whether there was one.</summary>
    public bool Delete(Imei imei)
    {
        bool existed = TryGet(imei, out _);
        long key = (long)imei.Key;
        Status status = _session.Delete(ref key);
        if (status.IsPending) _session.CompletePending(wait: true);
        return existed;
    }

    /// <summary>Ends the session.</summary>
    public void Dispose() => _session.Dispose();
}
