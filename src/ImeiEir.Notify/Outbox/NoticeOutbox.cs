using ImeiEir.Core;
using ImeiEir.Notify.Notices;
using ImeiEir.Notify.Sharing;
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
/// <para>
/// Shared (JetStream mode, <see cref="ShareAsync"/>): the truth is the bucket of <see cref="SharedNotices"/>; a notice
/// is made there first (a create: one process wins, the others count a duplicate), every transition is written there
/// first (conditional on the revision seen), and the journal is this process's replica, fed by the bucket's watch too.
/// </para>
/// </summary>
public sealed class NoticeOutbox : IDisposable
{
    public const string JournalFileName = "outbox.journal";

    /// <summary>
    /// Beside the journal after a restore in JetStream mode: the journal is the backup's, and the first share puts its
    /// notices in the bucket (<see cref="PublishRestored"/>), then removes the file.
    /// </summary>
    public const string RestoredFileName = "outbox.restored";

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
    private SharedNotices? _shared;

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
                NoticeRecord made = _directory.TryGet(request.Imsi, out Subscriber? subscriber) ? Rendered(record, subscriber, now) : record;
                if (_shared is not null && !_shared.TryCreate(made))
                {
                    // Another process made it (its watch brings it here); the journal below is only a replica.
                    _duplicates++;
                    continue;
                }
                batch.Add(made);
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
    /// delivered); 8 (SMSC accepted) → Sent for a notice still Sending (Kannel took it; its answer is not recorded yet,
    /// or never will be: the sender died), else noted; 4 (buffered) is noted without a state change. Reports may
    /// come in any order, even before the sendsms answer is recorded. False for an unknown key.
    /// </summary>
    public bool RecordDeliveryReport(string key, int type)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_notices.TryGet(key, out NoticeRecord? record))
            {
                // Shared: the report may come to this process before the watch brought the notice.
                if (_shared?.TryGet(key) is not NoticeRecord shared) return false;
                Commit([shared]);
                record = shared;
            }
            else if (record.Attempts == 0 && _shared?.TryGet(key) is NoticeRecord newest && newest != record)
            {
                // Shared: the report can overtake the watch bringing another process's Sending here.
                Commit([newest]);
                record = newest;
            }
            _deliveryReports++;
            if (record.Attempts == 0) return true; // never handed to Kannel: a stray or forged report, nothing to record
            long now = NowMs();
            Change(record, r => WithReport(r, type, now));
            return true;
        }
    }

    private static NoticeRecord? WithReport(NoticeRecord record, int type, long now)
    {
        if (record.Attempts == 0) return null;
        NoticeState state = record.State;
        long final = record.FinalMs, sent = record.SentMs;
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
        else if (type == 8 && state == NoticeState.Sending)
        {
            state = NoticeState.Sent;
            sent = now;
        }
        return record with { State = state, FinalMs = final, SentMs = sent, LastDlrType = (byte)Math.Clamp(type, 0, 255), UpdatedMs = now };
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
            if (_shared is null)
            {
                Commit(batch);
                released = batch.Count;
            }
            else
            {
                released = 0;
                foreach (NoticeRecord rendered in batch)
                {
                    if (Change(_notices[rendered.Key], r => r.State == NoticeState.Parked ? rendered : null) is not null) released++;
                }
            }
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
                // Only onto the record as picked: shared, a conflict means another process changed it since (marked it
                // Sending, sent, failed with a later due time, put it back), and its record, held from now on, says
                // what is due. The slot leaves the queue only once the write succeeded: a failed write changed
                // nothing, and after a conflict the slot is the held record's when it is still Pending at the same due
                // time (no new slot is queued for an unchanged state and due time), else stale and dropped above.
                NoticeRecord? sending = Change(record, r => r == record ? r with { State = NoticeState.Sending, Attempts = r.Attempts + 1, UpdatedMs = nowMs } : null);
                if (sending is null) continue;
                _notices.DequeuePending(); // still this slot: a record turned Sending queues nothing
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
            Change(record, r => r with
            {
                State = r.State == NoticeState.Sending ? NoticeState.Sent : r.State, SentMs = now, GatewayAnswer = answer, LastError = null, UpdatedMs = now,
            });
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
            bool retried = false;
            NoticeRecord written = Change(record, r =>
            {
                // A delivery report came for it meanwhile (Kannel took it although the answer failed): keep that.
                if (r.State != NoticeState.Sending) return r with { LastError = error, UpdatedMs = now };
                bool giveUp = maxAttempts > 0 && r.Attempts >= maxAttempts;
                retried = !giveUp;
                return r with { State = giveUp ? NoticeState.Failed : NoticeState.Pending, LastError = error, NextAttemptMs = giveUp ? 0 : retryAt.ToUnixTimeMilliseconds(), UpdatedMs = now };
            })!;
            state = written.State;
            if (retried && state == NoticeState.Pending) _retries++;
        }
        return state;
    }

    // ------------------------------------------------------------------ shared (JetStream mode)

    /// <summary>
    /// Shares this outbox through <paramref name="shared"/> from now on: applies every notice the bucket holds (the
    /// bucket wins over the journal), keeps applying other processes' writes, and releases the parked notices this
    /// process's directory can render. Returns how many notices the bucket held.
    /// </summary>
    internal async Task<int> ShareAsync(SharedNotices shared, ILogger logger, CancellationToken ct)
    {
        lock (_gate) _shared = shared;
        int applied = 0;
        int held = await shared.StartWatchAsync((record, revision) =>
        {
            if (ApplyShared(record, revision)) Interlocked.Increment(ref applied);
        }, ct);
        SharingLog.Synced(logger, shared.Bucket, held, Volatile.Read(ref applied));
        ReleaseParked();
        return held;
    }

    /// <summary>
    /// Creates every notice of the journal in <paramref name="shared"/>'s bucket, where none of its key is yet: after a
    /// restore (<see cref="RestoredFileName"/>), before <see cref="ShareAsync"/>, so the restored notices are the
    /// stream's, not this process's alone (a notice the bucket lacks cannot be sent). Returns how many it made.
    /// </summary>
    internal int PublishRestored(SharedNotices shared)
    {
        lock (_gate)
        {
            int made = 0;
            foreach (NoticeRecord record in _notices.All)
            {
                if (shared.TryCreate(record)) made++;
            }
            return made;
        }
    }

    /// <summary>A write seen in the bucket: held and journaled here when newer than what this process holds.</summary>
    private bool ApplyShared(NoticeRecord record, ulong revision)
    {
        lock (_gate)
        {
            if (_disposed || _shared is null || !_shared.IsNew(record.Key, revision)) return false;
            if (_notices.TryGet(record.Key, out NoticeRecord? held) && held == record) return false;
            Commit([record]);
        }
        if (record.State == NoticeState.Pending) WorkAvailable?.Invoke();
        return true;
    }

    /// <summary>Shared: until this process's replica holds every write the bucket held when called (at once when not shared).</summary>
    /// <exception cref="IOException">No NATS server answered.</exception>
    internal Task CatchUpAsync(CancellationToken ct) => _shared?.CatchUpAsync(ct) ?? Task.CompletedTask;

    /// <summary>The notices being sent now (by this process or, shared, by another), with their attempt.</summary>
    internal List<(string Key, int Attempts)> SendingKeys()
    {
        lock (_gate) return [.. _notices.All.Where(r => r.State == NoticeState.Sending).Select(r => (r.Key, r.Attempts))];
    }

    /// <summary>
    /// Puts back to Pending, due at once, those of <paramref name="keys"/> still Sending at the same attempt: their
    /// sender died with them (or its write of the next state failed) and no delivery report said Kannel took them.
    /// Returns how many.
    /// </summary>
    internal int RequeueStillSending(IEnumerable<(string Key, int Attempts)> keys)
    {
        int requeued = 0;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            long now = NowMs();
            foreach ((string key, int attempts) in keys)
            {
                if (!_notices.TryGet(key, out NoticeRecord? record)) continue;
                if (Change(record, r => r.State == NoticeState.Sending && r.Attempts == attempts ? r with { State = NoticeState.Pending, NextAttemptMs = 0, UpdatedMs = now } : null) is not null)
                    requeued++;
            }
            _resent += requeued;
        }
        if (requeued > 0) WorkAvailable?.Invoke();
        return requeued;
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
            foreach (NoticeRecord record in old)
            {
                // Shared: dropped from the bucket as well (each process drops the same ones by the same rule), so it
                // does not grow for ever nor bring them back to a journal at the next start.
                _shared?.Remove(record.Key);
                _notices.Remove(record);
            }
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

    /// <summary>
    /// One transition: <paramref name="change"/> of the notice (null: none needed), journaled and held. Shared, it is
    /// written to the bucket first, applied to the newest record there when another process wrote meanwhile, and the
    /// record the bucket holds after is what is held here. Returns the changed record, or null when none was needed.
    /// </summary>
    private NoticeRecord? Change(NoticeRecord current, Func<NoticeRecord, NoticeRecord?> change)
    {
        if (_shared is null)
        {
            NoticeRecord? next = change(current);
            if (next is not null) Commit([next]);
            return next;
        }
        NoticeRecord written = _shared.Update(current, change, out bool changed);
        if (written != current) Commit([written]);
        return changed ? written : null;
    }

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
