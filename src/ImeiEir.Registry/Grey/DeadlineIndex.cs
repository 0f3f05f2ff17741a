namespace ImeiEir.Registry;

/// <summary>
/// Grey deadlines, earliest first, for the expiry loop. An entry is a hint, never the truth: the record is read
/// again before anything is expired, so entries left behind by a verification (grey → white) or a new deadline
/// cost one lookup each and nothing else. Thread-safe (a lock: this is not an answer path).
/// </summary>
internal sealed class DeadlineIndex
{
    private readonly PriorityQueue<ulong, uint> _queue = new();
    private readonly object _gate = new();

    public int Count
    {
        get { lock (_gate) return _queue.Count; }
    }

    public void Add(ulong imeiKey, uint deadline)
    {
        if (deadline == 0) return; // a grey record without a deadline never expires
        lock (_gate) _queue.Enqueue(imeiKey, deadline);
    }

    /// <summary>The earliest deadline, if any.</summary>
    public bool TryPeek(out uint deadline)
    {
        lock (_gate) return _queue.TryPeek(out _, out deadline);
    }

    /// <summary>Takes up to <paramref name="max"/> entries due at <paramref name="nowUnixSeconds"/> (deadline ≤ now).</summary>
    public List<(ulong ImeiKey, uint Deadline)> TakeDue(long nowUnixSeconds, int max)
    {
        var due = new List<(ulong, uint)>();
        lock (_gate)
        {
            while (due.Count < max && _queue.TryPeek(out ulong key, out uint deadline) && deadline <= nowUnixSeconds)
            {
                _queue.Dequeue();
                due.Add((key, deadline));
            }
        }
        return due;
    }
}
