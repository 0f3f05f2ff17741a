using System.Runtime.CompilerServices;
using ImeiEir.Core;

namespace ImeiEir.Registry;

/// <summary>
/// An IMEI's history: follows the chain of back-links from the view's record, one exact log read per change, so
/// the cost is the IMEI's own history, whatever the log's size. A chain that reaches before the log's first retained
/// change (<see cref="RegistryOptions.HistoryRetention"/>) stops there: older entries are simply absent.
/// </summary>
internal sealed class HistoryReader
{
    private readonly RegistryView _view;
    private readonly ChangeLog _log;
    private readonly AttributionLog _attribution;

    public HistoryReader(RegistryView view, ChangeLog log, AttributionLog attribution)
    {
        _view = view;
        _log = log;
        _attribution = attribution;
    }

    /// <summary>Who made change <paramref name="change"/> and the comment (what its origin implies when unrecorded).</summary>
    public Attribution AttributionOf(in Change change) =>
        _attribution.Find(change.Sequence) ?? Attribution.Unrecorded(change.Origin);

    /// <summary>Every change to an IMEI, oldest first (removals included); none when it was never listed.</summary>
    public async IAsyncEnumerable<Change> ReadAsync(Imei imei, [EnumeratorCancellation] CancellationToken ct)
    {
        if (!_view.TryGet(imei, out ImeiRecord record) || record.Sequence == 0) yield break;
        var newestFirst = new List<Change>();
        // The record may carry a change committed but not yet published (the view is updated just before the
        // number is published): it is durable and indexed, so reading it is safe.
        ulong sequence = record.Sequence;
        while (sequence != 0 && sequence >= _log.FirstSequence)
        {
            ct.ThrowIfCancellationRequested();
            Change change;
            ulong previous;
            try
            {
                (change, previous) = await _log.ReadOneAsync(sequence, ct).ConfigureAwait(false);
            }
            catch (ArgumentOutOfRangeException) when (sequence < _log.FirstSequence)
            {
                break; // truncated while this chain was read
            }
            newestFirst.Add(change);
            sequence = previous;
        }
        for (int i = newestFirst.Count - 1; i >= 0; i--) yield return newestFirst[i];
    }
}
