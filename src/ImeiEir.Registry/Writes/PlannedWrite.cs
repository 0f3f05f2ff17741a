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

    /// <summary>Appends a change (its <see cref="Change.Sequence"/> and time are assigned here) and returns its number.</summary>
    public ulong Append(Change change)
    {
        TryGet(change.Imei, out ImeiRecord current);
        Change numbered = change with { Sequence = _next++, TimeUnixMilliseconds = _timeUnixMilliseconds };
        _append(numbered, current.Sequence);
        _planned[numbered.ImeiKey] = numbered.ToRecord();
        return numbered.Sequence;
    }
}
