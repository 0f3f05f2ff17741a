namespace ImeiEir.Core;

/// <summary>
/// A bounded multi-producer, single-consumer queue of <see cref="Sighting"/>s for the answer path: every Diameter
/// connection and HTTP request may enqueue, the node's reporter drains. Lock-free and allocation-free (D. Vyukov's
/// bounded queue: each slot carries a sequence number that says whose turn it is). When it is full,
/// <see cref="TryEnqueue"/> fails at once and counts the overflow: a sighting never delays an answer.
/// </summary>
public sealed class SightingQueue
{
    private readonly Slot[] _slots;
    private readonly long _mask;
    private long _enqueuePosition;
    private long _dequeuePosition;
    private long _overflows;

    private struct Slot
    {
        public long Sequence;
        public Sighting Item;
    }

    /// <param name="capacity">Rounded up to a power of two; at least 2.</param>
    public SightingQueue(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, 1 << 30);
        int size = (int)Math.Max(2, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)capacity));
        _slots = new Slot[size];
        for (int i = 0; i < size; i++) _slots[i].Sequence = i;
        _mask = size - 1;
    }

    public int Capacity => _slots.Length;

    /// <summary>Sightings refused because the queue was full, since start.</summary>
    public long Overflows => Volatile.Read(ref _overflows);

    /// <summary>Approximate number queued now (exact when nobody is enqueueing or dequeueing).</summary>
    public int Count => (int)Math.Clamp(Volatile.Read(ref _enqueuePosition) - Volatile.Read(ref _dequeuePosition), 0, _slots.Length);

    /// <summary>Adds a sighting; false (counted in <see cref="Overflows"/>) when the queue is full. Any thread.</summary>
    public bool TryEnqueue(in Sighting sighting)
    {
        long position = Volatile.Read(ref _enqueuePosition);
        while (true)
        {
            ref Slot slot = ref _slots[position & _mask];
            long sequence = Volatile.Read(ref slot.Sequence);
            long difference = sequence - position;
            if (difference == 0)
            {
                long seen = Interlocked.CompareExchange(ref _enqueuePosition, position + 1, position);
                if (seen == position)
                {
                    slot.Item = sighting;
                    Volatile.Write(ref slot.Sequence, position + 1); // publishes the item to the consumer
                    return true;
                }
                position = seen;
            }
            else if (difference < 0)
            {
                Interlocked.Increment(ref _overflows);
                return false;
            }
            else
            {
                position = Volatile.Read(ref _enqueuePosition);
            }
        }
    }

    /// <summary>Takes the oldest sighting; false when empty. One consumer thread at a time.</summary>
    public bool TryDequeue(out Sighting sighting)
    {
        long position = _dequeuePosition;
        ref Slot slot = ref _slots[position & _mask];
        long sequence = Volatile.Read(ref slot.Sequence);
        if (sequence - (position + 1) < 0)
        {
            sighting = default;
            return false;
        }
        sighting = slot.Item;
        Volatile.Write(ref slot.Sequence, position + _mask + 1); // frees the slot for the producer one lap later
        Volatile.Write(ref _dequeuePosition, position + 1);
        return true;
    }
}
