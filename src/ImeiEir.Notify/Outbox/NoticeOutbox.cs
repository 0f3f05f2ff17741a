using ImeiEir.Core;
using ImeiEir.Notify.Notices;
using ImeiEir.Notify.Storage;
using ImeiEir.Notify.Subscribers;
using ImeiEir.Notify.Texts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ImeiEir.Notify.Outbox;

/// <summary>
/// The durable outbox: every notice, its state and its text. The journal (<see cref="JournalFile"/>, one full
/// <see cref="NoticeRecord"/> per transition, fsync before a call returns) is the truth; this class owns it, the
/// notices' memory (<see cref="NoticeIndexes"/>) and the one lock over both, and makes the transitions. A notice's
/// text comes from <see cref="NoticeRenderer"/>; which finished notices are dropped, from <see cref="NoticeRetention"/>;
/// the journal is read back by <see cref="OutboxReplay"/>.
/// <para>
/// Exactly-once is bounded by one gap: a notice is recorded as Sending before the HTTP call and as Sent after it. If
/// the process dies between the two, it is Sending at the next start and is sent again, so a subscriber may get that
/// notice twice: at most one duplicate per notice in flight at the crash; the notifier sends one at a time, so at
/// most one duplicate per crash. The only other duplicate is a request that timed out after Kannel took it (it counts
/// as failed and is retried). A notice is never lost once Enqueue returned.
/// </para>
/// Thread-safe: one lock; the journal's fsync happens under it, which serialises writers (a few ms each on a disk).
/// </summary>
public sealed class NoticeOutbox : IDisposable
{
    public const string JournalFileName = "outbox.journal";

    private readonly object _gate = new();
    private readonly JournalFile _journal;
    private readonly SubscriberDirectory _directory;
    private readonly NoticeRenderer _renderer;
    private readonly NoticeRetention _retention;
    private readonly TimeProvider _time;
    private readonly NoticeIndexes _notices = new();
    private long _pruned;
    private int _compactionSlack = 1024;
    private long _enqueued, _duplicates, _accepted, _retries, _deliveryReports, _resent;
    private bool _disposed;

    private NoticeOutbox(JournalFile journal, SubscriberDirectory directory, NoticeRenderer renderer, NoticeRetention retention, TimeProvider time)
    {
        _journal = journal;
        _directory = directory;
        _renderer = renderer;
        _retention = retention;
        _time = time;
    }

    /// <summary>Raised (outside the lock) when something may be ready to send: an enqueue, a release, a requeue.</summary>
    public event Action? WorkAvailable;

    /// <summary>Notices kept, in every state.</summary>
    public int Count { get { lock (_gate) return _notices.Count; } }

    /// <summary>Notices waiting for their subscriber to be imported.</summary>
    public long ParkedCount => _notices.InState(NoticeState.Parked);

    /// <summary>Notices waiting to be sent, or being sent.</summary>
    public long PendingCount => _notices.InState(NoticeState.Pending) + _notices.InState(NoticeState.Sending);

    /// <summary>Notices Kannel accepted that have no final delivery report yet.</summary>
    public long SentCount => _notices.InState(NoticeState.Sent);

    /// <summary>Notices reported delivered.</summary>
    public long DeliveredCount => _notices.InState(NoticeState.Delivered);

    /// <summary>Notices reported undelivered.</summary>
    public long UndeliveredCount => _notices.InState(NoticeState.Undelivered);

    /// <summary>Notices given up (only with <see cref="NotifyOptions.MaxAttempts"/>).</summary>
    public long FailedCount => _notices.InState(NoticeState.Failed);

    /// <summary>Failed attempts that were scheduled again, since this process started.</summary>
    public long RetryCount => Interlocked.Read(ref _retries);

    /// <summary>Finished notices dropped by <see cref="Prune"/> since start.</summary>
    public long PrunedCount { get { lock (_gate) return _pruned; } }

    /// <summary>Every number at once.</summary>
    public NotifyCounters Counters
    {
        get
        {
            lock (_gate)
            {
                return new NotifyCounters(
                    _notices.InState(NoticeState.Parked), _notices.InState(NoticeState.Pending), _notices.InState(NoticeState.Sending),
                    _notices.InState(NoticeState.Sent), _notices.InState(NoticeState.Delivered), _notices.InState(NoticeState.Undelivered),
                    _notices.InState(NoticeState.Failed),
                    _enqueued, _duplicates, _accepted, _retries, _deliveryReports, _resent);
            }
        }
    }

    /// <summary>The journal as of now, every transition durable so far (a backup: it opens to the same notices and states).</summary>
    internal byte[] CopyJournal()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _journal.CopyDurable();
        }
    }

    /// <summary>
    /// Opens (or creates) the outbox in <see cref="NotifyOptions.DataDirectory"/>: replays the journal, cuts a torn
    /// tail, turns notices that were Sending at a crash back into Pending (they are resent), and compacts the journal
    /// when most of it is history.
    /// </summary>
    public static NoticeOutbox Open(NotifyOptions options, SubscriberDirectory directory, NoticeTemplates templates, NoticeCalendar calendar,
        TimeProvider time, ILogger? logger = null) =>
        Open(options, directory, templates, calendar, time, logger, compactionSlack: 1024);

    /// <summary>As the public Open; the journal is compacted when it has more than 2 × notices + <paramref name="compactionSlack"/> records.</summary>
    internal static NoticeOutbox Open(NotifyOptions options, SubscriberDirectory directory, NoticeTemplates templates, NoticeCalendar calendar,
        TimeProvider time, ILogger? logger, int compactionSlack)
    {
        logger ??= NullLogger.Instance;
        Directory.CreateDirectory(options.DataDirectory);
        JournalFile journal = OutboxReplay.Open(Path.Combine(options.DataDirectory, JournalFileName), time.GetUtcNow().ToUnixTimeMilliseconds(), logger,
            out List<NoticeRecord> notices, out int inFlight);

        var outbox = new NoticeOutbox(journal, directory, new NoticeRenderer(templates, calendar), new NoticeRetention(calendar), time);
        foreach (NoticeRecord record in notices) outbox._notices.Put(record);
        outbox._resent = inFlight;
        if (inFlight > 0) OutboxLog.ResendingInFlight(logger, inFlight);

        long records = journal.RecordCount;
        outbox._compactionSlack = compactionSlack;
        outbox.PruneAndCompact(calendar.LocalDate(time.GetUtcNow()), options.RetainDays, logger);
        // A crash after an import wrote the directory but before it released the notices leaves them parked: release now.
        int released = outbox.ReleaseParked();
        if (released > 0) OutboxLog.Released(logger, released);
        directory.ReleaseParked = outbox.ReleaseParked;
        OutboxLog.Opened(logger, outbox._notices.Count, outbox.ParkedCount, outbox.PendingCount, records);
        return outbox;
    }

    /// <summary>
    /// Records a notice, durably, before returning; false when a notice with the same key (<see cref="NoticeRequest.Key"/>)
    /// exists already. The text is rendered now when the directory knows the IMSI, else the notice is parked.
    /// </summary>
    /// <exception cref="ArgumentException">The request is incomplete (<see cref="NoticeRequest.Problem"/>).</exception>
    public bool Enqueue(NoticeRequest request) => EnqueueMany([request]) == 1;

    /// <summary>As <see cref="Enqueue"/> for many notices with one fsync (the noon reminders); returns how many were new.</summary>
    public int EnqueueMany(IEnumerable<NoticeRequest> requests)
    {
        ArgumentNullException.ThrowIfNull(requests);
        List<NoticeRequest> list = [.. requests];
        foreach (NoticeRequest request in list)
        {
            if (request.Problem() is string problem) throw new ArgumentException($"notice for IMEI {request.Imei}: {problem}", nameof(requests));
        }

        int added;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            long now = NowMs();
            var batch = new List<NoticeRecord>();
            var keys = new HashSet<string>(StringComparer.Ordinal);
            foreach (NoticeRequest request in list)
            {
                string key = request.Key;
                if (_notices.Contains(key) || !keys.Add(key))
                {
                    _duplicates++;
                    continue;
                }
                var record = new NoticeRecord
                {
                    Key = key,
                    Kind = request.Kind,
                    State = NoticeState.Parked,
                    Imei = request.Imei,
                    Imsi = request.Imsi,
                    DeadlineUnixSeconds = request.DeadlineUnixSeconds,
                    LocalDay = request.LocalDay,
                    CreatedMs = now,
                    UpdatedMs = now,
                };
                batch.Add(_directory.TryGet(request.Imsi, out Subscriber? subscriber) ? Rendered(record, subscriber, now) : record);
            }
            Commit(batch);
            _enqueued += batch.Count;
            added = batch.Count;
        }
        if (added > 0) WorkAvailable?.Invoke();
        return added;
    }

    /// <summary>The notice with this key.</summary>
    public bool TryGet(string key, out NoticeView view)
    {
        lock (_gate)
        {
            if (_notices.TryGet(key, out NoticeRecord? record))
            {
                view = record.ToView();
                return true;
            }
        }
        view = null!;
        return false;
    }

    /// <summary>Every notice about this device, oldest first.</summary>
    public IReadOnlyList<NoticeView> FindByImei(Imei imei)
    {
        lock (_gate) return _notices.ByImei(imei.Key);
    }

    /// <summary>Every notice sent (or to be sent) to this number, oldest first; a leading '+' is ignored.</summary>
    public IReadOnlyList<NoticeView> FindByMsisdn(string msisdn)
    {
        ArgumentNullException.ThrowIfNull(msisdn);
        string digits = msisdn.StartsWith('+') ? msisdn[1..] : msisdn;
        lock (_gate) return _notices.ByMsisdn(digits);
    }

    /// <summary>
    /// Records a Kannel delivery report (dlr-url <c>type=%d</c>): 1 → Delivered; 2 or 16 → Undelivered (unless already
    /// delivered); 4 (buffered) and 8 (SMSC accepted) are noted without a state change. Reports may come in any
    /// order, even before the sendsms answer is recorded. False for an unknown key.
    /// </summary>
    public bool RecordDeliveryReport(string key, int type)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_notices.TryGet(key, out NoticeRecord? record)) return false;
            _deliveryReports++;
            if (record.Attempts == 0) return true; // never handed to Kannel: a stray or forged report, nothing to record
            long now = NowMs();
            NoticeState state = record.State;
            long final = record.FinalMs;
            if (type == 1 && state != NoticeState.Delivered)
            {
                state = NoticeState.Delivered;
                final = now;
            }
            else if (type is 2 or 16 && state is not (NoticeState.Delivered or NoticeState.Undelivered))
            {
                state = NoticeState.Undelivered;
                final = now;
            }
            Commit([record with { State = state, FinalMs = final, LastDlrType = (byte)Math.Clamp(type, 0, 255), UpdatedMs = now }]);
            return true;
        }
    }

    // ------------------------------------------------------------------ for the sender

    /// <summary>
    /// Renders and releases every parked notice whose subscriber the directory now has; returns how many. The
    /// directory calls it inside every import; opening calls it once.
    /// </summary>
    internal int ReleaseParked()
    {
        int released;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_notices.AnyParked) return 0;
            long now = NowMs();
            var batch = new List<NoticeRecord>();
            foreach ((string imsi, HashSet<string> keys) in _notices.ParkedByImsi)
            {
                if (!_directory.TryGet(imsi, out Subscriber? subscriber)) continue;
                foreach (string key in keys) batch.Add(Rendered(_notices[key], subscriber, now));
            }
            Commit(batch);
            released = batch.Count;
        }
        if (released > 0) WorkAvailable?.Invoke();
        return released;
    }

    /// <summary>
    /// Takes the next pending notice that is due at <paramref name="now"/> and records it as Sending (durably) before
    /// the caller makes the HTTP call. False when none is due; <paramref name="nextDue"/> is then the earliest due time, if any.
    /// </summary>
    internal bool TryStartNext(DateTimeOffset now, out OutgoingSms sms, out DateTimeOffset? nextDue)
    {
        long nowMs = now.ToUnixTimeMilliseconds();
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            while (_notices.TryPeekPending(out string? key, out (long DueMs, long Order) slot))
            {
                if (!_notices.TryGet(key, out NoticeRecord? record) || record.State != NoticeState.Pending || record.NextAttemptMs != slot.DueMs)
                {
                    _notices.DequeuePending(); // stale: a delivery report overtook a retry, or the notice was pruned
                    continue;
                }
                if (slot.DueMs > nowMs)
                {
                    nextDue = DateTimeOffset.FromUnixTimeMilliseconds(slot.DueMs);
                    sms = default;
                    return false;
                }
                _notices.DequeuePending();
                NoticeRecord sending = record with { State = NoticeState.Sending, Attempts = record.Attempts + 1, UpdatedMs = nowMs };
                try
                {
                    Commit([sending]);
                }
                catch
                {
                    _notices.RequeuePending(key, slot);
                    throw;
                }
                sms = new OutgoingSms(key, sending.Msisdn!, sending.Text!, sending.Attempts);
                nextDue = null;
                return true;
            }
        }
        sms = default;
        nextDue = null;
        return false;
    }

    /// <summary>Kannel accepted the notice.</summary>
    internal void MarkAccepted(string key, string answer)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            NoticeRecord record = _notices[key];
            long now = NowMs();
            // A delivery report can overtake the sendsms answer; it already said more than "sent".
            NoticeState state = record.State == NoticeState.Sending ? NoticeState.Sent : record.State;
            Commit([record with { State = state, SentMs = now, GatewayAnswer = answer, LastError = null, UpdatedMs = now }]);
            _accepted++;
        }
    }

    /// <summary>
    /// The attempt failed: Pending again, not before <paramref name="retryAt"/>; or Failed when
    /// <paramref name="maxAttempts"/> (&gt; 0) attempts are used up. Returns the new state.
    /// </summary>
    internal NoticeState MarkAttemptFailed(string key, string error, DateTimeOffset retryAt, int maxAttempts)
    {
        NoticeState state;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            NoticeRecord record = _notices[key];
            long now = NowMs();
            if (record.State != NoticeState.Sending)
            {
                // A delivery report came for it meanwhile (Kannel took it although the answer failed): keep that.
                Commit([record with { LastError = error, UpdatedMs = now }]);
                return record.State;
            }
            bool giveUp = maxAttempts > 0 && record.Attempts >= maxAttempts;
            state = giveUp ? NoticeState.Failed : NoticeState.Pending;
            Commit([record with { State = state, LastError = error, NextAttemptMs = giveUp ? 0 : retryAt.ToUnixTimeMilliseconds(), UpdatedMs = now }]);
            if (!giveUp) _retries++;
        }
        return state;
    }

    /// <summary>
    /// Drops the finished notices whose day is more than <paramref name="retainDays"/> before <paramref name="today"/>
    /// (<see cref="NoticeRetention"/>). Returns how many were dropped; the journal still holds them until
    /// <see cref="PruneAndCompact"/> (or the next open) rewrites it.
    /// </summary>
    public int Prune(DateOnly today, int retainDays)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retainDays, 1);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            List<NoticeRecord> old = _retention.Expired(_notices.All, today, retainDays);
            foreach (NoticeRecord record in old) _notices.Remove(record);
            _pruned += old.Count;
            return old.Count;
        }
    }

    /// <summary>
    /// <see cref="Prune"/>, then a rewrite of the journal when most of its records are of notices no longer held
    /// (superseded states, dropped notices); both logged. At open and after each daily round.
    /// </summary>
    public void PruneAndCompact(DateOnly today, int retainDays, ILogger logger)
    {
        int pruned = Prune(today, retainDays);
        if (pruned > 0) OutboxLog.Pruned(logger, pruned, retainDays);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            long records = _journal.RecordCount;
            if (records <= 2L * _notices.Count + _compactionSlack) return;
            _journal.Rewrite(_notices.All.OrderBy(r => r.CreatedMs).Select(NoticeRecordCodec.Encode).ToList());
            OutboxLog.Compacted(logger, records, _journal.RecordCount);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            if (_directory.ReleaseParked == ReleaseParked) _directory.ReleaseParked = null;
            _journal.Dispose();
        }
    }

    // ------------------------------------------------------------------ state keeping

    /// <summary>Parked → Pending: the subscriber is known, the text is rendered, due at once.</summary>
    private NoticeRecord Rendered(NoticeRecord record, Subscriber subscriber, long now) => record with
    {
        State = NoticeState.Pending,
        Msisdn = subscriber.Msisdn,
        Language = subscriber.Language,
        Text = _renderer.Render(record.Kind, record.Imei, record.DeadlineUnixSeconds, subscriber),
        NextAttemptMs = 0,
        UpdatedMs = now,
    };

    /// <summary>Journal first (all records, one fsync), memory after: a failed write changes nothing.</summary>
    private void Commit(List<NoticeRecord> records)
    {
        if (records.Count == 0) return;
        foreach (NoticeRecord record in records) _journal.Append(NoticeRecordCodec.Encode(record));
        _journal.Flush();
        foreach (NoticeRecord record in records) _notices.Put(record);
    }

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();
}
