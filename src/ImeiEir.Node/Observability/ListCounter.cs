using ImeiEir.Core;
using ImeiEir.Store;

namespace ImeiEir.Node.Observability;

/// <summary>
/// Counts a store's records per list by scanning it, at most once per interval and in the background, so a
/// scrape never waits for a scan of millions of records and the apply path keeps no counters. Interval zero:
/// count synchronously on every call (tests, small stores).
/// </summary>
internal sealed class ListCounter
{
    private readonly Func<ImeiStore> _store;
    private readonly TimeSpan _interval;
    private ListCounts? _last;
    private long _countedAt;
    private int _counting;

    public ListCounter(Func<ImeiStore> store, TimeSpan interval)
    {
        _store = store;
        _interval = interval;
    }

    /// <summary>The latest counts (null before the first count finished); starts a new count when they are stale.</summary>
    public ListCounts? Current()
    {
        if (_interval == TimeSpan.Zero) return Count();
        long now = Environment.TickCount64;
        if ((Volatile.Read(ref _last) is null || now - Volatile.Read(ref _countedAt) >= _interval.TotalMilliseconds) && Interlocked.CompareExchange(ref _counting, 1, 0) == 0)
        {
            _ = Task.Run(() =>
            {
                try
                {
                    Count();
                    Volatile.Write(ref _countedAt, Environment.TickCount64);
                }
                catch (InvalidOperationException)
                {
                    // The store is not open yet (or closing): try again at the next scrape.
                }
                finally
                {
                    Volatile.Write(ref _counting, 0);
                }
            });
        }
        return Volatile.Read(ref _last);
    }

    private ListCounts Count()
    {
        long white = 0, grey = 0, black = 0;
        foreach ((Imei _, ImeiRecord record) in _store().Scan())
        {
            switch (record.List)
            {
                case ListKind.White: white++; break;
                case ListKind.Grey: grey++; break;
                case ListKind.Black: black++; break;
            }
        }
        var counts = new ListCounts(white, grey, black);
        Volatile.Write(ref _last, counts);
        return counts;
    }
}
