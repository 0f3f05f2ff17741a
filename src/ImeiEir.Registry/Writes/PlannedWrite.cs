using ImeiEir.Core;
using ImeiEir.Store;

namespace ImeiEir.Registry;

/// <summary>
/// One write batch being planned (<see cref="RegistryWriter.WriteAsync"/>): reads see the
/// view plus what this batch already appended, and each append gets the next sequence number, the batch's time and
/// the back-link to the record's previous change (the per-IMEI history chain).
/// </summary>
internal sealed class PlannedWrite
{
    private readonly ImeiStoreSession _view;
    private readonly Dictionary<ulong, ImeiRecord> _planned = [];
    private readonly Dictionary<ulong, List<PackedImsi>> _plannedPairs = [];
    private readonly long _timeUnixMilliseconds;
    private readonly Action<Change, ulong> _append;
    private ulong _next;

    internal PlannedWrite(ImeiStoreSession view, ulong next, long timeUnixMilliseconds, Action<Change, ulong> append)
    {
        _view = view;
        _next = next;
        _timeUnixMilliseconds = timeUnixMilliseconds;
        _append = append;
    }

    /// <summary>The record as this batch would leave it; tombstones (list None) included.</summary>
    public bool TryGet(Imei imei, out ImeiRecord record) =>
        _planned.TryGetValue(imei.Key, out record) || _view.TryGet(imei, out record);

    /// <summary>The IMEI's rightful IMSIs as this batch would leave them (docs/ARCHITECTURE.md, rule 2a); returns how many.</summary>
    public int GetPairs(Imei imei, Span<PackedImsi> destination)
    {
        if (!_plannedPairs.TryGetValue(imei.Key, out List<PackedImsi>? pairs)) return _view.GetPairs(imei, destination);
        pairs.CopyTo(destination);
        return pairs.Count;
    }

    /// <summary>Appends a change (its <see cref="Change.Sequence"/> and time are assigned here) and returns its number.</summary>
    public ulong Append(Change change)
    {
        TryGet(change.Imei, out ImeiRecord current);
        Change numbered = change with { Sequence = _next++, TimeUnixMilliseconds = _timeUnixMilliseconds };
        _append(numbered, current.Sequence);
        if (numbered.IsPairing)
        {
            // As ChangeApplier will do to the view: edit the IMEI's IMSIs, keep its list.
            if (!_plannedPairs.TryGetValue(numbered.ImeiKey, out List<PackedImsi>? pairs))
            {
                Span<PackedImsi> stored = stackalloc PackedImsi[PairTable.MaxPairs];
                pairs = [.. stored[.._view.GetPairs(numbered.Imei, stored)]];
                _plannedPairs[numbered.ImeiKey] = pairs;
            }
            if (numbered.Op == ChangeOp.Unpair) pairs.Remove(numbered.Imsi);
            else if (!pairs.Contains(numbered.Imsi) && pairs.Count < PairTable.MaxPairs) pairs.Add(numbered.Imsi);
            _planned[numbered.ImeiKey] = numbered.ToPairedRecord(current, pairs.Count > 0);
        }
        else
        {
            _planned[numbered.ImeiKey] = numbered.ToRecord(current.IsPaired);
        }
        return numbered.Sequence;
    }
}
