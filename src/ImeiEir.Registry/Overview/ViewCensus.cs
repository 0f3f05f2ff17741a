using ImeiEir.Core;

namespace ImeiEir.Registry;

/// <summary>What one scan of the view counted: live records per list, paired ones, and grey deadlines per local day.</summary>
internal sealed record ViewCounts(long White, long Grey, long Black, long Paired, IReadOnlyDictionary<DateOnly, long> GreyDeadlines,
    long TakenAtUnixMs);

/// <summary>
/// Records per list and grey devices expiring per day, for the overview: a scan of the view (seconds at tens of
/// millions of records), taken at most once per <see cref="MaxAge"/> and shared by the requests meanwhile. A scan,
/// not counters kept on the write path, because a change does not say which list its record left; and the view, not
/// the grey <see cref="DeadlineIndex"/>, because the index's entries are hints that outlive verifications and moved
/// deadlines, so it would count devices that no longer expire.
/// </summary>
internal sealed class ViewCensus(RegistryService registry)
{
    /// <summary>How old the counts an answer shows may be.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(1);

    /// <summary>Local days of grey deadlines counted from the scan's day on: the overview's 7 and one more, so a scan taken just before midnight still covers the next day's seventh.</summary>
    public const int DeadlineDays = 8;

    private readonly object _gate = new();
    private Task<ViewCounts>? _scan;

    /// <summary>Counts at most <see cref="MaxAge"/> old (a scan when the last one is older).</summary>
    public Task<ViewCounts> CurrentAsync(CancellationToken ct)
    {
        Task<ViewCounts> scan;
        lock (_gate)
        {
            long now = registry.Time.GetUtcNow().ToUnixTimeMilliseconds();
            if (_scan is null || _scan.IsFaulted || _scan.IsCanceled
                || (_scan.IsCompletedSuccessfully && now - _scan.Result.TakenAtUnixMs >= (long)MaxAge.TotalMilliseconds))
            {
                // The scan holds a store session for its whole run: on a thread of its own, never across an await.
                _scan = Task.Run(Count, CancellationToken.None);
            }
            scan = _scan;
        }
        return scan.WaitAsync(ct);
    }

    private ViewCounts Count()
    {
        DateTimeOffset now = registry.Time.GetUtcNow();
        DateOnly today = registry.Calendar.LocalDate(now);
        var starts = new long[DeadlineDays + 1]; // starts[i] = first second of today + i
        for (int i = 0; i <= DeadlineDays; i++) starts[i] = registry.Calendar.StartOfDay(today.AddDays(i)).ToUnixTimeSeconds();
        var deadlines = new long[DeadlineDays];
        long white = 0, grey = 0, black = 0, paired = 0;
        foreach ((Imei _, ImeiRecord record) in registry.ScanView())
        {
            switch (record.List)
            {
                case ListKind.White: white++; break;
                case ListKind.Black: black++; break;
                case ListKind.Grey:
                    grey++;
                    uint deadline = record.DeadlineUnixSeconds;
                    if (deadline != 0 && deadline >= starts[0] && deadline < starts[DeadlineDays])
                    {
                        int day = 0;
                        while (deadline >= starts[day + 1]) day++;
                        deadlines[day]++;
                    }
                    break;
                default: continue; // a tombstone
            }
            if (record.IsPaired) paired++;
        }
        var byDay = new Dictionary<DateOnly, long>(DeadlineDays);
        for (int i = 0; i < DeadlineDays; i++) byDay[today.AddDays(i)] = deadlines[i];
        return new ViewCounts(white, grey, black, paired, byDay, now.ToUnixTimeMilliseconds());
    }
}
