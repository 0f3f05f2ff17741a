namespace ImeiEir.Registry;

/// <summary>
/// One row of <see cref="FeedFollowers"/>: a follower (a credential from an address) and where its feed is. Written by
/// its feed streams, read by the overview; every field is a single atomic word, so neither side takes a lock.
/// </summary>
internal sealed class FeedFollower(string name, string address)
{
    private long _afterSequence;
    private long _sentSequence;
    private long _lastSeenUnixMs;
    private int _connections;

    /// <summary>The credential's name, or <see cref="FeedFollowers.DefaultTokenName"/> for a generated token.</summary>
    public string Name { get; } = name;

    /// <summary>The follower's IP address as the registry sees it.</summary>
    public string Address { get; } = address;

    /// <summary>The position its latest feed started after.</summary>
    public ulong AfterSequence => (ulong)Volatile.Read(ref _afterSequence);

    /// <summary>The last change sent to it (its start position until one is).</summary>
    public ulong SentSequence => (ulong)Volatile.Read(ref _sentSequence);

    /// <summary>When it was last written to (a batch or a heartbeat flushed), Unix milliseconds.</summary>
    public long LastSeenUnixMs => Volatile.Read(ref _lastSeenUnixMs);

    /// <summary>True while at least one of its feeds is open (a reconnect may overlap the old feed's end).</summary>
    public bool Connected => Volatile.Read(ref _connections) > 0;

    /// <summary>A feed of this follower opened after <paramref name="after"/>.</summary>
    public void Opened(ulong after, long nowUnixMs)
    {
        Interlocked.Increment(ref _connections);
        Volatile.Write(ref _afterSequence, (long)after);
        Volatile.Write(ref _sentSequence, (long)after);
        Volatile.Write(ref _lastSeenUnixMs, nowUnixMs);
    }

    /// <summary>Everything up to <paramref name="sent"/> was flushed to it.</summary>
    public void Sent(ulong sent, long nowUnixMs)
    {
        Volatile.Write(ref _sentSequence, (long)sent);
        Volatile.Write(ref _lastSeenUnixMs, nowUnixMs);
    }

    /// <summary>One of its feeds ended.</summary>
    public void Closed(long nowUnixMs)
    {
        Interlocked.Decrement(ref _connections);
        Volatile.Write(ref _lastSeenUnixMs, nowUnixMs);
    }
}
