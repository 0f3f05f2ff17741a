namespace ImeiEir.Registry;

/// <summary>
/// The last change readers may see, and the wake-up of those waiting for the next one. The writer publishes a
/// number only once its change is durable and in the view, so a reader never sees a number it cannot read. One
/// writer publishes; any number of readers wait (<see cref="Next"/>), woken by the next publish, no polling.
/// </summary>
internal sealed class PublishedSequence
{
    private ulong _value;
    private TaskCompletionSource _next = NewSignal();
    private string? _closedBy;

    public PublishedSequence(ulong value) => _value = value;

    /// <summary>The last published change number; 0 for an empty registry.</summary>
    public ulong Value => Volatile.Read(ref _value);

    /// <summary>
    /// Completes at the next <see cref="Publish"/>, or fails with <see cref="ObjectDisposedException"/> once
    /// <see cref="Close"/>d. Take it before reading <see cref="Value"/>: a publish in between then completes it, so
    /// it is not missed.
    /// </summary>
    public Task Next => Volatile.Read(ref _next).Task;

    /// <summary>True once <see cref="Close"/>d: the registry is closing and its log may be gone.</summary>
    public bool IsClosed => Volatile.Read(ref _closedBy) is not null;

    /// <summary>Makes <paramref name="sequence"/> visible and wakes every waiter.</summary>
    public void Publish(ulong sequence)
    {
        Volatile.Write(ref _value, sequence);
        Interlocked.Exchange(ref _next, NewSignal()).TrySetResult();
    }

    /// <summary>Wakes every waiter with <see cref="ObjectDisposedException"/> naming <paramref name="owner"/>; no publish follows.</summary>
    public void Close(string owner)
    {
        Volatile.Write(ref _closedBy, owner);
        Volatile.Read(ref _next).TrySetException(new ObjectDisposedException(owner));
    }

    /// <summary>Throws <see cref="ObjectDisposedException"/> once <see cref="Close"/>d.</summary>
    public void ThrowIfClosed()
    {
        if (Volatile.Read(ref _closedBy) is { } owner) throw new ObjectDisposedException(owner);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
