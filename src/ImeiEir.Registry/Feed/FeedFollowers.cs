using System.Collections.Concurrent;

namespace ImeiEir.Registry;

/// <summary>
/// The nodes following the change feed, for the overview (docs/ARCHITECTURE.md, "Change feed"): one row per
/// (credential, address), so a node's reconnects update its row instead of adding rows. Bounded: rows not seen for
/// <see cref="ForgetAfter"/> are dropped when a feed opens, and at <see cref="MaxRows"/> a new follower replaces the
/// longest-unseen disconnected row (or goes unrecorded when all are connected). A concurrent dictionary and
/// lock-free rows: only feed opens touch the table, and the feed is not a lookup path.
/// </summary>
public sealed class FeedFollowers
{
    /// <summary>The name shown for a follower using one of the registry's generated tokens rather than a named credential.</summary>
    public const string DefaultTokenName = "node token";

    /// <summary>Most rows kept (a registry has tens of nodes; this bounds a misbehaving client's reconnects from many addresses).</summary>
    public const int MaxRows = 1024;

    /// <summary>How long a disconnected row stays.</summary>
    public static readonly TimeSpan ForgetAfter = TimeSpan.FromDays(1);

    private readonly ConcurrentDictionary<(string Name, string Address), FeedFollower> _rows = new();

    /// <summary>The row of the follower a feed is about to serve, marked open after <paramref name="after"/>.</summary>
    internal FeedFollower Open(string name, string address, ulong after, long nowUnixMs)
    {
        if (!_rows.TryGetValue((name, address), out FeedFollower? row))
        {
            Prune(nowUnixMs);
            row = _rows.Count < MaxRows || EvictOldestDisconnected()
                ? _rows.GetOrAdd((name, address), static key => new FeedFollower(key.Name, key.Address))
                : new FeedFollower(name, address); // full of connected followers: serve it, show it not
        }
        row.Opened(after, nowUnixMs);
        return row;
    }

    /// <summary>The rows now, in no particular order, after dropping those not seen for <see cref="ForgetAfter"/>.</summary>
    internal IReadOnlyList<FeedFollower> List(long nowUnixMs)
    {
        Prune(nowUnixMs);
        return _rows.Values.ToArray();
    }

    private void Prune(long nowUnixMs)
    {
        long cutoff = nowUnixMs - (long)ForgetAfter.TotalMilliseconds;
        foreach (KeyValuePair<(string, string), FeedFollower> row in _rows)
        {
            if (!row.Value.Connected && row.Value.LastSeenUnixMs < cutoff) _rows.TryRemove(row);
        }
    }

    private bool EvictOldestDisconnected()
    {
        KeyValuePair<(string, string), FeedFollower>? oldest = null;
        foreach (KeyValuePair<(string, string), FeedFollower> row in _rows)
        {
            if (!row.Value.Connected && (oldest is null || row.Value.LastSeenUnixMs < oldest.Value.Value.LastSeenUnixMs)) oldest = row;
        }
        return oldest is { } evicted && _rows.TryRemove(evicted);
    }
}
