using System.Diagnostics;
using ImeiEir.Core;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Registry;

/// <summary>
/// Ends grey periods (docs/ARCHITECTURE.md, rule 6): when a grey record's deadline passes on the regime clock, the
/// registry publishes it black, reason grey-expired (origin Lifecycle). Nodes already answer BLACKLISTED past the
/// deadline on their own; this makes the lists say so too (snapshots, lookups, notices). A verification (set white) or
/// removal before the deadline ends the grey period: the record is read again at expiry time and only a record still
/// grey with that very deadline is expired.
/// </summary>
public sealed class GreyExpiry : IAsyncDisposable
{
    /// <summary>Longest sleep of the loop, whatever the next deadline: bounds the effect of a clock jump.</summary>
    internal static readonly TimeSpan MaxSleep = TimeSpan.FromMinutes(1);

    private const int BatchSize = 10_000;

    private readonly RegistryService _registry;
    private readonly RegimeClock _clock;
    private readonly ILogger _logger;
    private readonly DeadlineIndex _index = new();
    private readonly CancellationTokenSource _stopping = new();
    private CancellationTokenSource? _sleep;
    private long _sleepingUntil = long.MaxValue;
    private long _expired;
    private int _disposed;
    private bool _waitingForStream;   // the loop's own: the last attempt found the change stream unavailable
    private Task _loop = Task.CompletedTask;

    public GreyExpiry(RegistryService registry, RegimeClock clock, ILogger logger)
    {
        _registry = registry;
        _clock = clock;
        _logger = logger;
    }

    /// <summary>Raised with each batch of expiries once durable (the notifier sends the blacklisted SMS from it).</summary>
    public event Action<IReadOnlyList<Change>>? Expired;

    /// <summary>Records turned black by this process since start.</summary>
    public long ExpiredTotal => Interlocked.Read(ref _expired);

    /// <summary>Deadlines waiting in the index (a hint: some may be stale).</summary>
    public int Indexed => _index.Count;

    /// <summary>A task that completes once the index holds every grey deadline of the view.</summary>
    public Task Indexing { get; private set; } = Task.CompletedTask;

    /// <summary>Indexes the view's grey deadlines (in the background) and starts the expiry loop.</summary>
    public void Start()
    {
        // Subscribe first: a deadline committed during the scan is then indexed twice at worst, never missed.
        _registry.Committed += OnCommitted;
        Indexing = Task.Run(BuildIndex);
        _loop = RunAsync(_stopping.Token);
    }

    /// <summary>Expires every grey record whose deadline has passed; returns how many. Also what the loop calls.</summary>
    public async Task<int> ExpireDueAsync(CancellationToken ct)
    {
        int total = 0;
        while (true)
        {
            long now = _clock.NowUnixSeconds;
            List<(ulong ImeiKey, uint Deadline)> due = _index.TakeDue(now, BatchSize);
            if (due.Count == 0) return total;
            IReadOnlyList<Change> changes;
            try
            {
                changes = await _registry.WriteAsync(write =>
                {
                    foreach ((ulong key, uint deadline) in due)
                    {
                        Imei imei = Imei.FromKey(key);
                        if (write.TryGet(imei, out ImeiRecord record) && record.List == ListKind.Grey
                            && record.DeadlineUnixSeconds == deadline && deadline <= now)
                        {
                            write.Append(new Change
                            {
                                ImeiKey = key, Op = ChangeOp.Set, List = ListKind.Black, Reason = Reason.GreyExpired,
                                Origin = ChangeOrigin.Lifecycle,
                            });
                        }
                    }
                }, Attribution.Lifecycle, ct).ConfigureAwait(false);
            }
            catch
            {
                // Taken from the index but not expired (cancelled, or the write failed): put them back, or these
                // records would stay grey until the next restart rebuilt the index. Entries are hints, so one
                // that was written after all costs a lookup.
                foreach ((ulong key, uint deadline) in due) _index.Add(key, deadline);
                throw;
            }
            if (changes.Count > 0)
            {
                Interlocked.Add(ref _expired, changes.Count);
                RegistryLog.GreyExpired(_logger, changes.Count, changes[0].Sequence, changes[^1].Sequence);
                Expired?.Invoke(changes);
                total += changes.Count;
            }
        }
    }

    /// <summary>Stops the loop; a second call does nothing (a host may stop its services twice).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _registry.Committed -= OnCommitted;
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        _stopping.Dispose();
    }

    private void BuildIndex()
    {
        long started = Stopwatch.GetTimestamp();
        int count = 0;
        foreach ((Imei imei, ImeiRecord record) in _registry.ScanView())
        {
            if (record.List != ListKind.Grey || record.DeadlineUnixSeconds == 0) continue;
            _index.Add(imei.Key, record.DeadlineUnixSeconds);
            count++;
        }
        RegistryLog.LifecycleIndexed(_logger, count, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        Wake(0);
    }

    private void OnCommitted(IReadOnlyList<Change> changes)
    {
        uint earliest = uint.MaxValue;
        foreach (Change change in changes)
        {
            if (change.Op != ChangeOp.Set || change.List != ListKind.Grey || change.DeadlineUnixSeconds == 0) continue;
            _index.Add(change.ImeiKey, change.DeadlineUnixSeconds);
            earliest = Math.Min(earliest, change.DeadlineUnixSeconds);
        }
        if (earliest != uint.MaxValue) Wake(earliest);
    }

    /// <summary>Cuts the loop's sleep short when a deadline earlier than its wake-up time appears.</summary>
    private void Wake(long deadline)
    {
        if (deadline < Volatile.Read(ref _sleepingUntil))
            Volatile.Read(ref _sleep)?.Cancel();
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        await Task.Yield();
        while (!stopping.IsCancellationRequested)
        {
            TimeSpan sleep;
            try
            {
                await ExpireDueAsync(stopping).ConfigureAwait(false);
                _waitingForStream = false;
                long now = _clock.NowUnixSeconds;
                sleep = _index.TryPeek(out uint next) ? TimeSpan.FromSeconds(Math.Max(0, next - now)) : MaxSleep;
                if (sleep > MaxSleep) sleep = MaxSleep;
                Volatile.Write(ref _sleepingUntil, now + (long)sleep.TotalSeconds);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return; // the registry is closing
            }
            catch (CommitUnavailableException e)
            {
                // The change stream is down (every NATS server): nothing was written, the records stay due and are
                // tried again; said once per outage, not every 5 s.
                sleep = TimeSpan.FromSeconds(5);
                if (!_waitingForStream) RegistryLog.ExpiryWaitsForStream(_logger, e, sleep.TotalSeconds);
                _waitingForStream = true;
            }
            catch (Exception e)
            {
                sleep = TimeSpan.FromSeconds(5);
                RegistryLog.ExpiryFailed(_logger, e, sleep.TotalSeconds);
            }

            using var wake = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            Volatile.Write(ref _sleep, wake);
            try
            {
                // A deadline that arrived between the computation above and now would have found no one to wake.
                if (_index.TryPeek(out uint earliest) && earliest < Volatile.Read(ref _sleepingUntil)) continue;
                await Task.Delay(sleep, _clock.Time, wake.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                if (stopping.IsCancellationRequested) return;
            }
            finally
            {
                Volatile.Write(ref _sleep, null);
                Volatile.Write(ref _sleepingUntil, long.MaxValue);
            }
        }
    }
}
