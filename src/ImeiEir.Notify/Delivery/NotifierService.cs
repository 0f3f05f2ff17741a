using ImeiEir.Notify.Notices;
using ImeiEir.Notify.Outbox;
using ImeiEir.Notify.Sharing;
using ImeiEir.Notify.Subscribers;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Notify.Delivery;

/// <summary>
/// Drains the outbox into Kannel: one SMS at a time (so a crash can duplicate at most one), no faster than
/// <see cref="NotifyOptions.RatePerSecond"/>. Two back-offs, both doubling from <see cref="NotifyOptions.InitialBackoff"/>
/// up to <see cref="NotifyOptions.MaxBackoff"/>:
/// <list type="bullet">
/// <item>the gateway's: after a failure (gateway down, or any answer but 202/200) nothing at all is sent until it has
/// passed, growing with the failures in a row, so a down gateway sees one attempt per back-off, not one per notice;</item>
/// <item>the notice's: a failed notice goes to the back of the line, not before its own back-off (growing with its
/// attempts), so one notice the gateway keeps refusing (a bad number) never holds up the others.</item>
/// </list>
/// Parked notices are released by the import itself (<see cref="SubscriberDirectory.ImportAsync"/>), which wakes this
/// loop. Every wait is on the injected <see cref="TimeProvider"/>.
/// <para>
/// Shared outbox (<see cref="NoticeSharing"/>): only the holder of the lease sends. A renewal loop keeps (or tries to
/// take) it every third of its time to live; on taking it, the notices the previous holder left Sending are resent
/// only if still Sending after <see cref="NoticeSharing.DlrWait"/> (Kannel's report type 8 or 1, coming to any
/// process, marks a notice it took as Sent or Delivered), so a notice Kannel took before its sender died is not
/// sent twice and one it never got is not lost (docs/ARCHITECTURE.md, "Notices"). The holder checks its own Sending
/// notices the same way every DlrWait: one whose next state it failed to write stays Sending no longer than that.
/// </para>
/// </summary>
public sealed class NotifierService : BackgroundService
{
    private readonly NotifyOptions _options;
    private readonly NoticeOutbox _outbox;
    private readonly SubscriberDirectory _directory;
    private readonly NoticeCalendar _calendar;
    private readonly KannelClient? _kannel;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _wake = new(0, int.MaxValue);
    private long _waitsBegun;
    private readonly NoticeSharing? _sharing;
    private SendingCheck? _check;
    private bool _held;
    private volatile bool _ready;

    /// <summary>
    /// Notices Sending (with their attempt) when the check was made, and when to resend those still Sending at that
    /// attempt: at a take-over, those the previous holder left; after that, every <see cref="NoticeSharing.DlrWait"/>,
    /// those this process left Sending when its write of the next state failed although the servers had stored it.
    /// </summary>
    private sealed record SendingCheck(List<(string Key, int Attempts)> Keys, DateTimeOffset ResendAt, bool TakeOver);

    /// <exception cref="ArgumentException">The options are not valid (one line per problem).</exception>
    public NotifierService(NotifyOptions options, NoticeOutbox outbox, SubscriberDirectory directory, NoticeCalendar calendar,
        HttpClient http, TimeProvider time, ILogger<NotifierService> logger, string dlrToken, NoticeSharing? sharing = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        IReadOnlyList<string> problems = options.Validate();
        if (problems.Count > 0) throw new ArgumentException(string.Join(Environment.NewLine, problems), nameof(options));
        _options = options;
        _outbox = outbox;
        _directory = directory;
        _calendar = calendar;
        _time = time;
        _logger = logger;
        _kannel = options.DeliveryEnabled ? new KannelClient(http, options, dlrToken, time) : null;
        _sharing = sharing;
        _outbox.WorkAvailable += Wake;
        _directory.Changed += Wake;
    }

    /// <summary>
    /// Test hook (the crash test's child process): runs after Kannel answered and before the answer is journaled,
    /// the window in which a crash causes the documented duplicate.
    /// </summary>
    internal Action<OutgoingSms>? AfterSendBeforeRecord { get; set; }

    /// <summary>
    /// Test observability: waits the loop has begun, each after it did all it could (for its clock, a wake-up, or the
    /// stop). A count above the one a test read while the loop waited means a whole round after that wait ended.
    /// </summary>
    internal long WaitsBegun => Interlocked.Read(ref _waitsBegun);

    /// <summary>Test hook (the crash test's child process): runs after the notice is recorded Sending, before the HTTP call.</summary>
    internal Action<OutgoingSms>? AfterMarkBeforeSend { get; set; }

    /// <summary>SMS handed to Kannel by this process since it started (accepted or not).</summary>
    public long Attempted => Interlocked.Read(ref _attempted);

    private long _attempted;

    /// <summary>Gateway failures in a row (0 while it accepts).</summary>
    public int ConsecutiveFailures { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_kannel is null) DeliveryLog.DeliveryOff(_logger, _calendar.Description);
        else DeliveryLog.Started(_logger, GatewayName(), _options.RatePerSecond, _calendar.Description);

        TimeSpan interval = TimeSpan.FromSeconds(1 / _options.RatePerSecond);
        DateTimeOffset notBefore = DateTimeOffset.MinValue;
        int outboxFailures = 0;
        Task leasing = _sharing is null || _kannel is null ? Task.CompletedTask : KeepLeaseAsync(_sharing.Lease, stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (_kannel is null)
                {
                    await WaitAsync(null, stoppingToken);
                    continue;
                }

                DateTimeOffset now = _time.GetUtcNow();
                if (now < notBefore)
                {
                    await WaitAsync(notBefore - now, stoppingToken);
                    continue;
                }
                DateTimeOffset? resendAt = null;
                if (_sharing is not null)
                {
                    if (!_sharing.Lease.IsHeld || !_ready)
                    {
                        // The lease loop wakes us when it took the lease and caught up. Bounded all the same: a renewal come
                        // late reads as not held for a moment, and when it then succeeds the lease loop sees no change to
                        // wake us for (held before, held after), so an unbounded wait would stop this sender for good.
                        await WaitAsync(_sharing.Lease.TimeToLive / 3, stoppingToken);
                        continue;
                    }
                    SendingCheck check = Volatile.Read(ref _check)!; // made by the take-over, before _ready
                    if (now >= check.ResendAt)
                    {
                        int resent = _outbox.RequeueStillSending(check.Keys);
                        if (resent > 0 && check.TakeOver) SharingLog.ResendingOrphans(_logger, resent, (long)_sharing.DlrWait.TotalMilliseconds);
                        else if (resent > 0) SharingLog.ResendingOwnOrphans(_logger, resent, (long)_sharing.DlrWait.TotalMilliseconds);
                        check = NewCheck(now, takeOver: false); // of the notices Sending now, due one DlrWait later
                    }
                    resendAt = check.ResendAt;
                }
                if (!_outbox.TryStartNext(now, out OutgoingSms sms, out DateTimeOffset? nextDue))
                {
                    DateTimeOffset? until = nextDue is { } due && resendAt is { } r ? (due < r ? due : r) : nextDue ?? resendAt;
                    await WaitAsync(until - now, stoppingToken);
                    continue;
                }
                outboxFailures = 0;

                AfterMarkBeforeSend?.Invoke(sms);
                Interlocked.Increment(ref _attempted);
                KannelClient.Result result = await _kannel.SendAsync(sms);
                AfterSendBeforeRecord?.Invoke(sms);
                if (result.Accepted)
                {
                    _outbox.MarkAccepted(sms.Key, result.Detail);
                    DeliveryLog.Accepted(_logger, sms.Key, result.Detail);
                    if (ConsecutiveFailures > 0) DeliveryLog.GatewayBack(_logger, ConsecutiveFailures);
                    ConsecutiveFailures = 0;
                    notBefore = now + interval;
                }
                else
                {
                    ConsecutiveFailures++;
                    DateTimeOffset failedAt = _time.GetUtcNow();
                    notBefore = failedAt + SendBackoff.Delay(_options.InitialBackoff, _options.MaxBackoff, ConsecutiveFailures);
                    TimeSpan retryIn = SendBackoff.Delay(_options.InitialBackoff, _options.MaxBackoff, sms.Attempt);
                    NoticeState state = _outbox.MarkAttemptFailed(sms.Key, result.Detail, failedAt + retryIn, _options.MaxAttempts);
                    if (state == NoticeState.Failed) DeliveryLog.GaveUp(_logger, sms.Key, sms.Attempt, result.Detail);
                    else DeliveryLog.AttemptFailed(_logger, sms.Attempt, sms.Key, result.Detail, (long)(notBefore - failedAt).TotalMilliseconds, (long)retryIn.TotalMilliseconds);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The journal could not be written (disk full, failing): nothing changed in memory; try again later.
                outboxFailures++;
                TimeSpan delay = SendBackoff.Delay(_options.InitialBackoff, _options.MaxBackoff, outboxFailures);
                DeliveryLog.OutboxFailed(_logger, (long)delay.TotalMilliseconds, e);
                try
                {
                    await Task.Delay(delay, _time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        await leasing;
        // Given up once the send loop is past its last call (a request in flight finishes first), so the next holder
        // finds nothing of this process's Sending and starts at once.
        if (_held) await _sharing!.Lease.ReleaseAsync(CancellationToken.None);
    }

    /// <summary>
    /// Keeps the sender lease (or tries to take it) every third of its time to live until the host stops. On taking
    /// it, first brings the replica up to the bucket, then notes the notices the previous holder left Sending
    /// (<see cref="SendingCheck"/>); only then may the send loop send.
    /// </summary>
    private async Task KeepLeaseAsync(INotifierLease lease, CancellationToken stoppingToken)
    {
        TimeSpan every = lease.TimeToLive / 3;
        while (!stoppingToken.IsCancellationRequested)
        {
            bool held;
            try
            {
                held = await lease.TryAcquireOrRenewAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            if (held && !_held)
            {
                // What the previous holder left Sending is decided on a replica as new as the bucket: one the watch has
                // not brought yet would look Pending here, be skipped when picked (another process changed it) and
                // then stay Sending with nobody to resend it.
                try
                {
                    // Bounded: a watch that cannot catch up (its journal failing) must not stop the renewals for good.
                    using var bounded = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                    bounded.CancelAfter(lease.TimeToLive);
                    await _outbox.CatchUpAsync(bounded.Token);
                    SendingCheck check = NewCheck(_time.GetUtcNow(), takeOver: true);
                    SharingLog.LeaseTaken(_logger, check.Keys.Count, (long)_sharing!.DlrWait.TotalMilliseconds);
                    _ready = true;
                    Wake();
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    _held = true; // released by the stop
                    break;
                }
                catch (Exception e) when (e is IOException or OperationCanceledException)
                {
                    SharingLog.CatchUpFailed(_logger, e);
                    held = false; // not ready to send: taken again at the next round
                }
            }
            else if (!held && _held)
            {
                _ready = false;
                SharingLog.LeaseLost(_logger);
            }
            _held = held;
            try
            {
                await Task.Delay(every, _time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>A check of the notices Sending now, due <see cref="NoticeSharing.DlrWait"/> from <paramref name="now"/>.</summary>
    private SendingCheck NewCheck(DateTimeOffset now, bool takeOver)
    {
        var check = new SendingCheck(_outbox.SendingKeys(), now + _sharing!.DlrWait, takeOver);
        Volatile.Write(ref _check, check);
        return check;
    }

    public override void Dispose()
    {
        _outbox.WorkAvailable -= Wake;
        _directory.Changed -= Wake;
        base.Dispose();
    }

    private void Wake()
    {
        // Extra wake-ups are harmless (the loop re-checks everything), so a plain Release is enough.
        if (_wake.CurrentCount < 2) _wake.Release();
    }

    /// <summary>Until <paramref name="delay"/> passed on the injected clock, something woke us, or the host stops.</summary>
    private async Task WaitAsync(TimeSpan? delay, CancellationToken stoppingToken)
    {
        if (delay is { } d && d <= TimeSpan.Zero) return;
        Interlocked.Increment(ref _waitsBegun);
        using var done = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        Task wake = _wake.WaitAsync(done.Token);
        Task timer = delay is { } wait ? Task.Delay(wait, _time, done.Token) : Task.Delay(Timeout.Infinite, done.Token);
        await Task.WhenAny(wake, timer);
        done.Cancel();
        try
        {
            await Task.WhenAll(wake, timer);
        }
        catch (OperationCanceledException)
        {
            // the loser of the race, cancelled
        }
        stoppingToken.ThrowIfCancellationRequested();
    }

    private string GatewayName() => Uri.TryCreate(_options.SendSmsUrl, UriKind.Absolute, out Uri? url) ? url.GetLeftPart(UriPartial.Path) : "?";
}
