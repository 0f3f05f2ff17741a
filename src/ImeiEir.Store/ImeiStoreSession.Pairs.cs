using System.Runtime.CompilerServices;
using FASTER.core;
using ImeiEir.Core;

namespace ImeiEir.Store;

/// <summary>The pair table's operations (<see cref="PairTable"/>): the check's lookup, and the applier's edits.</summary>
public sealed partial class ImeiStoreSession
{
    /// <summary>
    /// Whether <paramref name="imsi"/> is one of the IMEI's rightful IMSIs. For the hot path: allocation-free, at most
    /// <see cref="PairTable.MaxPairs"/> reads; call it only for a record that <see cref="ImeiRecord.IsPaired"/>.
    /// </summary>
    public bool IsPairedWith(Imei imei, PackedImsi imsi)
    {
        if (imsi.IsNone) return false;
        for (int slot = 0; slot < PairTable.MaxPairs; slot++)
        {
            if (!TryGetEntry(PairTable.KeyOf(imei, slot), out ImeiRecord entry)) return false;
            if (PairTable.Decode(entry) == imsi) return true;
        }
        return false;
    }

    /// <summary>Copies the IMEI's rightful IMSIs (slot order) into <paramref name="destination"/>; returns how many.</summary>
    public int GetPairs(Imei imei, Span<PackedImsi> destination)
    {
        int count = 0;
        while (count < PairTable.MaxPairs && count < destination.Length
               && TryGetEntry(PairTable.KeyOf(imei, count), out ImeiRecord entry))
            destination[count++] = PairTable.Decode(entry);
        return count;
    }

    /// <summary>
    /// Adds <paramref name="imsi"/> to the IMEI's rightful IMSIs unless it is one already; returns how many it then has.
    /// With <see cref="PairTable.MaxPairs"/> already, nothing is added (the registry refuses that line first).
    /// </summary>
    public int AddPair(Imei imei, PackedImsi imsi)
    {
        Span<PackedImsi> pairs = stackalloc PackedImsi[PairTable.MaxPairs];
        int count = GetPairs(imei, pairs);
        if (pairs[..count].Contains(imsi) || count == PairTable.MaxPairs) return count;
        UpsertEntry(PairTable.KeyOf(imei, count), PairTable.Encode(imsi));
        return count + 1;
    }

    /// <summary>Takes <paramref name="imsi"/> off the IMEI's rightful IMSIs, keeping the slots dense; returns how many remain.</summary>
    public int RemovePair(Imei imei, PackedImsi imsi)
    {
        Span<PackedImsi> pairs = stackalloc PackedImsi[PairTable.MaxPairs];
        int count = GetPairs(imei, pairs);
        int index = pairs[..count].IndexOf(imsi);
        if (index < 0) return count;
        if (index != count - 1) UpsertEntry(PairTable.KeyOf(imei, index), PairTable.Encode(pairs[count - 1]));
        DeleteEntry(PairTable.KeyOf(imei, count - 1));
        return count - 1;
    }

    /// <summary>Writes one entry at its slot, unread: a snapshot's pairs, whole per IMEI, into an empty store.</summary>
    public void SetPairSlot(Imei imei, int slot, PackedImsi imsi) => UpsertEntry(PairTable.KeyOf(imei, slot), PairTable.Encode(imsi));

    /// <summary>Deletes one entry (clearing a store for a new bootstrap).</summary>
    public void DeletePairSlot(Imei imei, int slot) => DeleteEntry(PairTable.KeyOf(imei, slot));

    private void DeleteEntry(long key)
    {
        Status status = _inBatch ? _batch.Delete(ref key) : _session.Delete(ref key);
        if (status.IsPending) CompletePending();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryGetEntry(long key, out ImeiRecord entry)
    {
        entry = default;
        Status status = _inBatch ? _batch.Read(ref key, ref entry) : _session.Read(ref key, ref entry);
        if (status.IsPending) return CompletePendingRead(out entry);
        return status.Found;
    }

    private void UpsertEntry(long key, ImeiRecord entry)
    {
        Status status = _inBatch ? _batch.Upsert(ref key, ref entry) : _session.Upsert(ref key, ref entry);
        if (status.IsPending) CompletePending();
    }
}
