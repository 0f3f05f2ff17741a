using System.Runtime.InteropServices;
using ImeiEir.Core;

namespace ImeiEir.Registry;

/// <summary>
/// Changes per local day (regime calendar) for the overview's last <see cref="Days"/> days.
/// <para>
/// A counter, not a scan per request: a request must never read millions of changes, nor hold the write gate. The
/// counter follows <see cref="RegistryService.Committed"/> (a dictionary add per change, under the gate the handler
/// already runs in) for every change after the head it was made at; the changes up to that head are counted once, by
/// the first request, from the log's tail (a binary search for the window's first change, as retention does, then a
/// sequential read), off the write gate. So a start costs nothing and a registry nobody looks at never reads its log
/// for this; a cached scan would instead re-read the whole window every minute. Cost of that first count at 1M
/// changes: perf-baselines/registry-overview.md.
/// </para>
/// </summary>
internal sealed class ChangesPerDay : IDisposable
{
    /// <summary>Days the overview shows, today included.</summary>
    public const int Days = 14;

    // Days kept beyond the window before old ones are dropped: the dictionary stays tiny however long the process runs.
    private const int KeptDays = 62;
    private const int ReadBatch = 4096;

    private readonly RegistryService _registry;
    private readonly object _gate = new();
    private readonly Dictionary<DateOnly, long> _counts = [];
    private readonly LocalDayCache _committedDays;
    private readonly ulong _countedFrom;
    private Task? _tail;

    public ChangesPerDay(RegistryService registry)
    {
        _registry = registry;
        _committedDays = new LocalDayCache(registry.Calendar);
        // Subscribed before the head is read: a batch published after this read is raised after it, so it reaches
        // the handler (and only the handler counts it); one published before is at or below the head (the tail's).
        registry.Committed += OnCommitted;
        _countedFrom = registry.LastSequence;
    }

    /// <summary>Changes on each of the <see cref="Days"/> local days ending <paramref name="today"/>, oldest first.</summary>
    public async Task<long[]> LastDaysAsync(DateOnly today, CancellationToken ct)
    {
        await CountTailOnceAsync(today, ct).ConfigureAwait(false);
        var days = new long[Days];
        lock (_gate)
        {
            for (int i = 0; i < Days; i++) days[i] = _counts.GetValueOrDefault(today.AddDays(i - (Days - 1)));
        }
        return days;
    }

    public void Dispose() => _registry.Committed -= OnCommitted;

    private void OnCommitted(IReadOnlyList<Change> changes)
    {
        lock (_gate)
        {
            foreach (Change change in changes)
            {
                if (change.Sequence > _countedFrom) Add(_committedDays.DayOf(change.TimeUnixMilliseconds), 1);
            }
        }
    }

    // Under _gate.
    private void Add(DateOnly day, long count)
    {
        ref long slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_counts, day, out bool existed);
        slot += count;
        if (existed || _counts.Count <= KeptDays) return;
        DateOnly oldest = day.AddDays(-KeptDays);
        foreach (DateOnly old in _counts.Keys.Where(d => d < oldest).ToArray()) _counts.Remove(old);
    }

    private Task CountTailOnceAsync(DateOnly today, CancellationToken ct)
    {
        Task tail;
        lock (_gate)
        {
            // A failed count (the registry closing) is tried again by the next request.
            if (_tail is null || _tail.IsFaulted || _tail.IsCanceled) _tail = Task.Run(() => CountTailAsync(today));
            tail = _tail;
        }
        return tail.WaitAsync(ct);
    }

    private async Task CountTailAsync(DateOnly today)
    {
        if (_countedFrom == 0) return;
        long cutoffMs = _registry.Calendar.StartOfDay(today.AddDays(1 - Days)).ToUnixTimeMilliseconds();
        var counted = new Dictionary<DateOnly, long>();
        var days = new LocalDayCache(_registry.Calendar);
        var buffer = new Change[ReadBatch];
        ulong after = await FirstSinceAsync(cutoffMs, buffer).ConfigureAwait(false) - 1;
        while (after < _countedFrom)
        {
            int read = await _registry.ReadChangesAsync(after, buffer.AsMemory(0, (int)Math.Min(ReadBatch, _countedFrom - after)), TimeSpan.Zero, CancellationToken.None)
                .ConfigureAwait(false);
            for (int i = 0; i < read; i++) CollectionsMarshal.GetValueRefOrAddDefault(counted, days.DayOf(buffer[i].TimeUnixMilliseconds), out _)++;
            after += (ulong)read;
        }
        lock (_gate)
        {
            foreach ((DateOnly day, long count) in counted) Add(day, count);
        }
    }

    /// <summary>The first change at or after <paramref name="cutoffMs"/> up to the counted head; head + 1 when none.</summary>
    private async Task<ulong> FirstSinceAsync(long cutoffMs, Change[] buffer)
    {
        // Change times follow their numbers (one writer stamps them in order): about 20 single reads at 1M changes.
        ulong low = _registry.FirstRetainedSequence, high = _countedFrom + 1;
        while (low < high)
        {
            ulong middle = low + (high - low) / 2;
            await _registry.ReadChangesAsync(middle - 1, buffer.AsMemory(0, 1), TimeSpan.Zero, CancellationToken.None).ConfigureAwait(false);
            if (buffer[0].TimeUnixMilliseconds < cutoffMs) low = middle + 1;
            else high = middle;
        }
        return low;
    }
}
