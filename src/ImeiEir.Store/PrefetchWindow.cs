using System.Runtime.CompilerServices;

namespace ImeiEir.Store;

/// <summary>
/// A first-in first-out delay line of <see cref="ImeiStoreSession.PrefetchDistance"/> pending store operations, for
/// batches that prefetch: the caller prefetches an item's bucket as it arrives and performs the operation when
/// <see cref="Push"/> hands the item back, that many arrivals later; at the end of the batch it drains the rest
/// with <see cref="TryTake"/>. Items come out in arrival order, so two operations on one key keep their order.
/// A struct with its items inline: no allocation, meant to live inside a parser's handler for one batch.
/// </summary>
public struct PrefetchWindow<T>
{
    private const int Mask = ImeiStoreSession.PrefetchDistance - 1;

    private Items _items;
    private int _head;
    private int _count;

    /// <summary>Items waiting.</summary>
    public readonly int Count => _count;

    /// <summary>
    /// Adds <paramref name="item"/>; when the window was full, returns true with the oldest item in
    /// <paramref name="due"/>, whose operation the caller performs now.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Push(in T item, out T due)
    {
        if (_count == ImeiStoreSession.PrefetchDistance)
        {
            due = _items[_head];
            _items[_head] = item;
            _head = (_head + 1) & Mask;
            return true;
        }
        _items[(_head + _count) & Mask] = item;
        _count++;
        due = default!;
        return false;
    }

    /// <summary>Takes the oldest waiting item; false when none is left.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryTake(out T due)
    {
        if (_count == 0)
        {
            due = default!;
            return false;
        }
        due = _items[_head];
        _items[_head] = default!;
        _head = (_head + 1) & Mask;
        _count--;
        return true;
    }

    [InlineArray(ImeiStoreSession.PrefetchDistance)]
    private struct Items
    {
        private T _first;
    }
}
