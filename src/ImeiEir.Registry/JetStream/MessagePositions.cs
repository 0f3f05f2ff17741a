namespace ImeiEir.Registry.JetStream;

/// <summary>
/// Which stream message ends at which change, as this process learnt it (its own appends, its reads). A fact never
/// goes stale: the stream's messages are never deleted or rewritten (<c>DenyDelete</c>), so the message that ended
/// at a change always does. It spares the search (<see cref="JetStreamChangeStream"/>) for the common case: the
/// next append and the next read start right after the last message this process wrote or read.
/// </summary>
internal sealed class MessagePositions
{
    /// <summary>Facts kept at most; the oldest go first (only the most recent are ever asked for).</summary>
    private const int Capacity = 1024;

    private readonly Dictionary<ulong, ulong> _messageEndingAt = [];
    private readonly Queue<ulong> _order = new();
    private readonly Lock _lock = new();

    /// <summary>Message <paramref name="message"/> ends at change <paramref name="lastChange"/>.</summary>
    public void Record(ulong lastChange, ulong message)
    {
        lock (_lock)
        {
            if (!_messageEndingAt.TryAdd(lastChange, message)) return;
            _order.Enqueue(lastChange);
            if (_order.Count > Capacity) _messageEndingAt.Remove(_order.Dequeue());
        }
    }

    /// <summary>Forgets every fact: some came from a replica that diverged from the stream (JetStreamChangeStream.CommittedAsync).</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _messageEndingAt.Clear();
            _order.Clear();
        }
    }

    /// <summary>The message ending at change <paramref name="lastChange"/>, when known (change 0: "message 0", the empty stream's end).</summary>
    public bool TryGetMessageEndingAt(ulong lastChange, out ulong message)
    {
        if (lastChange == 0)
        {
            message = 0;
            return true;
        }
        lock (_lock) return _messageEndingAt.TryGetValue(lastChange, out message);
    }
}
