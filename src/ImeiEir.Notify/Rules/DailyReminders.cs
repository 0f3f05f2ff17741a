using ImeiEir.Core;
using ImeiEir.Notify.Notices;
using ImeiEir.Notify.Outbox;
using ImeiEir.Notify.Pairs;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Notify.Rules;

/// <summary>
/// The daily reminder (seed «Ежедневное напоминание (около 12:00)»): every day at <see cref="NoticeCalendar.DailyReminderTime"/>
/// local time, each subscriber seen with a device that is still grey is reminded of the deadline, once per (IMEI, IMSI,
/// local day) by the notice key. A round also tidies up: a device verified or removed since is forgotten (no more
/// reminders), one that expired black gets the blacklisted notice if it was missed, and is forgotten.
/// <para>
/// Runs on the regime clock. It wakes at least every <see cref="MaxSleep"/>, so a clock that jumps ahead (a test's,
/// or NTP stepping) is followed within that; after a jump over several days only the current day's round runs, late
/// reminders for past days are not sent. A process started after the reminder time runs that day's round at once; a
/// round already run before the restart adds nothing, as its notices exist. At start, devices that expired while the
/// process was down get their blacklisted notices without waiting for noon. After each day's round the outbox drops
/// the finished notices older than <see cref="NotifyOptions.RetainDays"/>.
/// </para>
/// </summary>
public sealed class DailyReminders : IAsyncDisposable
{
    /// <summary>Longest sleep of the loop, whatever the next reminder time: bounds the effect of a clock jump.</summary>
    internal static readonly TimeSpan MaxSleep = TimeSpan.FromMinutes(1);

    private static readonly TimeSpan s_retryAfterFailure = TimeSpan.FromSeconds(5);

    private readonly SightingPairs _pairs;
    private readonly NoticeOutbox _outbox;
    private readonly NoticeCalendar _calendar;
    private readonly DeviceLookup _lookup;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly int _retainDays;
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;
    private int _lastRoundDayNumber;
    private long _rounds;
    private long _reminders;
    private long _blacklisted;
    private int _disposed;

    public DailyReminders(SightingPairs pairs, NoticeOutbox outbox, NoticeCalendar calendar, DeviceLookup lookup, TimeProvider regimeTime, ILogger logger,
        int retainDays = 35)
    {
        _retainDays = retainDays;
        _pairs = pairs;
        _outbox = outbox;
        _calendar = calendar;
        _lookup = lookup;
        _time = regimeTime;
        _logger = logger;
    }

    /// <summary>Daily rounds completed by the loop since start.</summary>
    public long RoundsRun => Interlocked.Read(ref _rounds);

    /// <summary>The local day of the loop's last completed round (default before the first).</summary>
    public DateOnly LastRoundDay => DateOnly.FromDayNumber(Volatile.Read(ref _lastRoundDayNumber));

    /// <summary>Blacklisted notices enqueued by rounds since start (for expiries whose notice was missed).</summary>
    public long BlacklistedEnqueued => Interlocked.Read(ref _blacklisted);

    /// <summary>Daily reminders enqueued since start (new ones only).</summary>
    public long RemindersEnqueued => Interlocked.Read(ref _reminders);

    /// <summary>Starts the loop: the start-up sweep for missed expiries, then a round every day at the reminder time.</summary>
    public void Start() => _loop = RunAsync(_stopping.Token);

    /// <summary>
    /// One round for <paramref name="day"/> at <paramref name="now"/>: reminders when <paramref name="remind"/>, and the
    /// tidying in any case. What the loop calls; public for the tools and the tests.
    /// </summary>
    public ReminderRound RunRound(DateOnly day, DateTimeOffset now, bool remind = true)
    {
        long nowSeconds = now.ToUnixTimeSeconds();
        var reminders = new List<NoticeRequest>();
        var blacklisted = new List<NoticeRequest>();
        var forget = new HashSet<Imei>();
        int skipped = 0;
        foreach (SeenPair pair in _pairs.All())
        {
            if (!_lookup(pair.Imei, out ImeiRecord record)) record = default;
            switch (record.List)
            {
                case ListKind.Grey when record.DeadlineUnixSeconds > nowSeconds:
                    if (!remind) break;
                    if (_calendar.LocalDate(DateTimeOffset.FromUnixTimeSeconds(pair.FirstSeenUnixSeconds)) >= day)
                    {
                        skipped++; // seen first today: the grey-start notice was today's word
                        break;
                    }
                    reminders.Add(new NoticeRequest(NoticeKind.DailyReminder, pair.Imei, pair.Imsi.ToString(), record.DeadlineUnixSeconds, day));
                    break;
                case ListKind.Grey:
                    skipped++; // past the deadline: the registry's expiry writes it black and the blacklisted notice follows
                    break;
                case ListKind.Black when record.Reason == Reason.GreyExpired:
                    blacklisted.Add(new NoticeRequest(NoticeKind.Blacklisted, pair.Imei, pair.Imsi.ToString(), 0, day));
                    forget.Add(pair.Imei);
                    break;
                default:
                    forget.Add(pair.Imei); // verified (white), removed, or blacklisted for another reason: nothing more to remind
                    break;
            }
        }
        int addedReminders = reminders.Count == 0 ? 0 : _outbox.EnqueueMany(reminders);
        int addedBlacklisted = blacklisted.Count == 0 ? 0 : _outbox.EnqueueMany(blacklisted);
        // Forgotten only once their notices are durable: a crash in between makes the same notices (keys) again.
        int forgotten = _pairs.Forget(forget);
        Interlocked.Add(ref _reminders, addedReminders);
        Interlocked.Add(ref _blacklisted, addedBlacklisted);
        var round = new ReminderRound(day, addedReminders, addedBlacklisted, forgotten, skipped);
        string dayText = day.ToString("dd.MM.yyyy", System.Globalization.CultureInfo.InvariantCulture);
        if (remind)
            RulesLog.ReminderRound(_logger, dayText, round.Reminders, round.Blacklisted, round.Forgotten, round.Skipped);
        else if (round.Blacklisted > 0 || round.Forgotten > 0)
            RulesLog.StartSweep(_logger, round.Blacklisted, round.Forgotten);
        return round;
    }

    /// <summary>Stops the loop; a second call does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
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

    private async Task RunAsync(CancellationToken stopping)
    {
        await Task.Yield();
        bool swept = false;
        while (!stopping.IsCancellationRequested)
        {
            TimeSpan sleep;
            try
            {
                DateTimeOffset now = _time.GetUtcNow();
                DateOnly today = _calendar.LocalDate(now);
                if (!swept)
                {
                    RunRound(today, now, remind: false);
                    swept = true;
                }
                if (now >= _calendar.AtLocal(today, _calendar.DailyReminderTime) && LastRoundDay != today)
                {
                    RunRound(today, now);
                    // Once a day, with the round: the outbox drops finished notices past their retention.
                    _outbox.PruneAndCompact(today, _retainDays, _logger);
                    Volatile.Write(ref _lastRoundDayNumber, today.DayNumber);
                    Interlocked.Increment(ref _rounds);
                }
                sleep = _calendar.NextDailyReminder(now) - now;
                if (sleep > MaxSleep) sleep = MaxSleep;
            }
            catch (ObjectDisposedException)
            {
                return; // the notifier is closing
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException)
            {
                sleep = s_retryAfterFailure;
                RulesLog.ReminderRoundFailed(_logger, sleep.TotalSeconds, e);
            }

            try
            {
                await Task.Delay(sleep, _time, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
