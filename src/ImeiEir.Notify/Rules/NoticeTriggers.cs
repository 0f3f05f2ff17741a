using ImeiEir.Core;
using ImeiEir.Notify.Notices;
using ImeiEir.Notify.Outbox;
using ImeiEir.Notify.Pairs;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Notify.Rules;

/// <summary>
/// Turns what the registry learns into notices, each once by its key (<see cref="NoticeRequest.Key"/>), so the same
/// event reported again (a node's retry, a second node, a restart) adds nothing:
/// <list type="bullet">
/// <item>grey start: a subscriber seen with a grey device is told it works until the deadline, once per (IMEI, IMSI,
/// deadline), followed by the IMEI help text where the subscriber's template set has one; the pair is remembered for
/// the daily reminders and the blacklisted notice;</item>
/// <item>blacklisted: a grey period expired; every subscriber seen with the device is told, and the pairs are forgotten;</item>
/// <item>blocked attach: a black device tried to attach; its subscriber is told, at most once a local day;</item>
/// <item>status: a home subscriber's SIM first seen in a white device gets the status help (the FAQ's «отправит SMS с
/// текущим статусом устройства»), once per (IMEI, IMSI), where the subscriber's template set has it.</item>
/// </list>
/// The daily reminders are <see cref="DailyReminders"/>'s.
/// </summary>
public sealed class NoticeTriggers
{
    private readonly NoticeOutbox _outbox;
    private readonly SightingPairs _pairs;
    private readonly NoticeCalendar _calendar;
    private readonly ILogger _logger;
    private readonly Func<string, NoticeKind, bool> _setHas;
    private long _greyStarts;
    private long _imeiHelps;
    private long _statusHelps;
    private long _blacklisted;
    private long _blocked;
    private long _skipped;

    /// <param name="outbox">Where the notices go.</param>
    /// <param name="pairs">Who was seen with which grey device.</param>
    /// <param name="calendar">The regime's local days.</param>
    /// <param name="logger">Counts of notices made.</param>
    /// <param name="setHas">Whether a subscriber's (IMSI's) template set has a text of the kind, for the help texts
    /// that follow a notice only where the set has them; null: nobody gets them.</param>
    public NoticeTriggers(NoticeOutbox outbox, SightingPairs pairs, NoticeCalendar calendar, ILogger logger, Func<string, NoticeKind, bool>? setHas = null)
    {
        _setHas = setHas ?? ((_, _) => false);
        _outbox = outbox;
        _pairs = pairs;
        _calendar = calendar;
        _logger = logger;
    }

    /// <summary>Grey-start notices enqueued (new ones only).</summary>
    public long GreyStarts => Interlocked.Read(ref _greyStarts);

    /// <summary>IMEI help notices enqueued after grey starts (new ones only).</summary>
    public long ImeiHelps => Interlocked.Read(ref _imeiHelps);

    /// <summary>Status help notices enqueued after blocked attaches and white attaches (new ones only).</summary>
    public long StatusHelps => Interlocked.Read(ref _statusHelps);

    /// <summary>Blacklisted notices enqueued on expiry (new ones only).</summary>
    public long Blacklisted => Interlocked.Read(ref _blacklisted);

    /// <summary>Blocked-attach notices enqueued (new ones only).</summary>
    public long Blocked => Interlocked.Read(ref _blocked);

    /// <summary>Attaches that could not become a notice: no IMSI, or a grey record without a deadline.</summary>
    public long Skipped => Interlocked.Read(ref _skipped);

    /// <summary>
    /// Remembers each (IMEI, IMSI) pair and enqueues a grey-start notice per new (IMEI, IMSI, deadline), both durably
    /// before returning; returns how many notices were new.
    /// </summary>
    public int OnGreyAttaches(IEnumerable<GreyAttach> attaches)
    {
        ArgumentNullException.ThrowIfNull(attaches);
        var requests = new List<NoticeRequest>();
        var helps = new List<NoticeRequest>();
        var pairs = new List<SeenPair>();
        foreach (GreyAttach attach in attaches)
        {
            // Without an IMSI nobody can be told; without a deadline the text has no date to give.
            if (!PackedImsi.TryPack((attach.Imsi ?? "").AsSpan(), out PackedImsi imsi) || attach.DeadlineUnixSeconds == 0)
            {
                Interlocked.Increment(ref _skipped);
                continue;
            }
            pairs.Add(new SeenPair(attach.Imei, imsi, attach.SeenUnixSeconds));
            DateOnly day = _calendar.LocalDate(DateTimeOffset.FromUnixTimeSeconds(attach.SeenUnixSeconds));
            requests.Add(new NoticeRequest(NoticeKind.GreyStart, attach.Imei, attach.Imsi!, attach.DeadlineUnixSeconds, day));
            // Keyed like its grey start (once per grey period) and enqueued after it, so the sender sends it after.
            if (_setHas(attach.Imsi!, NoticeKind.ImeiHelp))
                helps.Add(new NoticeRequest(NoticeKind.ImeiHelp, attach.Imei, attach.Imsi!, attach.DeadlineUnixSeconds, day));
        }
        if (requests.Count == 0) return 0;
        // The pair first: a crash between the two then costs a grey-start notice made again on the next report, never
        // the reminders of a subscriber who was told.
        _pairs.Record(pairs);
        int added = _outbox.EnqueueMany(requests);
        Interlocked.Add(ref _greyStarts, added);
        if (added > 0) RulesLog.GreyStartsEnqueued(_logger, added, requests.Count - added);
        // A second batch so each kind is counted; a crash between the two makes the help on the next report.
        int helped = helps.Count == 0 ? 0 : _outbox.EnqueueMany(helps);
        Interlocked.Add(ref _imeiHelps, helped);
        return added + helped;
    }

    /// <summary>
    /// The grey periods of <paramref name="devices"/> ended black at <paramref name="at"/>: a blacklisted notice to
    /// every subscriber seen with each, then the pairs are forgotten (no more reminders). Returns the notices enqueued.
    /// </summary>
    public int OnExpired(IEnumerable<Imei> devices, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(devices);
        DateOnly day = _calendar.LocalDate(at);
        var expired = new List<Imei>();
        var requests = new List<NoticeRequest>();
        foreach (Imei imei in devices)
        {
            IReadOnlyList<SeenPair> pairs = _pairs.Of(imei);
            if (pairs.Count == 0) continue;
            expired.Add(imei);
            foreach (SeenPair pair in pairs)
                requests.Add(new NoticeRequest(NoticeKind.Blacklisted, imei, pair.Imsi.ToString(), 0, day));
        }
        if (expired.Count == 0) return 0;
        // Notices before forgetting: a crash between the two makes the same notices again (the same keys) next time.
        int added = _outbox.EnqueueMany(requests);
        _pairs.Forget(expired);
        Interlocked.Add(ref _blacklisted, added);
        if (added > 0) RulesLog.BlacklistedEnqueued(_logger, added, expired.Count);
        return added;
    }

    /// <summary>
    /// Enqueues a blocked-attach notice per (IMEI, IMSI, local day of the attach), and, where the subscriber's set has
    /// it, the status help (where to check and verify) once per (IMEI, IMSI): the seed's «при необходимости — даст
    /// инструкции для верификации» when a SIM meets a blocked device. Durable; returns how many were new.
    /// </summary>
    public int OnBlackAttaches(IEnumerable<BlackAttach> attaches)
    {
        ArgumentNullException.ThrowIfNull(attaches);
        var requests = new List<NoticeRequest>();
        var helps = new List<NoticeRequest>();
        foreach (BlackAttach attach in attaches)
        {
            if (!ImsiText.IsValidImsi(attach.Imsi))
            {
                Interlocked.Increment(ref _skipped);
                continue;
            }
            DateOnly day = _calendar.LocalDate(DateTimeOffset.FromUnixTimeSeconds(attach.SeenUnixSeconds));
            requests.Add(new NoticeRequest(NoticeKind.BlockedAttach, attach.Imei, attach.Imsi, 0, day));
            if (_setHas(attach.Imsi, NoticeKind.StatusHelp))
                helps.Add(new NoticeRequest(NoticeKind.StatusHelp, attach.Imei, attach.Imsi, 0, day));
        }
        if (requests.Count == 0) return 0;
        int added = _outbox.EnqueueMany(requests);
        Interlocked.Add(ref _blocked, added);
        if (added > 0) RulesLog.BlockedEnqueued(_logger, added, requests.Count - added);
        // After its blocked attach, in a batch of its own so each kind is counted (see OnGreyAttaches).
        int helped = helps.Count == 0 ? 0 : _outbox.EnqueueMany(helps);
        Interlocked.Add(ref _statusHelps, helped);
        return added + helped;
    }

    /// <summary>
    /// A home subscriber's SIM seen in a white device: the status help where the subscriber's set has it, once per
    /// (IMEI, IMSI) (its key has no day), so the daily pair reports of the same SIM and device add nothing. Durable;
    /// returns how many were new.
    /// </summary>
    public int OnWhiteAttaches(IEnumerable<WhiteAttach> attaches)
    {
        ArgumentNullException.ThrowIfNull(attaches);
        var helps = new List<NoticeRequest>();
        foreach (WhiteAttach attach in attaches)
        {
            if (!ImsiText.IsValidImsi(attach.Imsi))
            {
                Interlocked.Increment(ref _skipped);
                continue;
            }
            if (!_setHas(attach.Imsi, NoticeKind.StatusHelp)) continue;
            DateOnly day = _calendar.LocalDate(DateTimeOffset.FromUnixTimeSeconds(attach.SeenUnixSeconds));
            helps.Add(new NoticeRequest(NoticeKind.StatusHelp, attach.Imei, attach.Imsi, 0, day));
        }
        if (helps.Count == 0) return 0;
        int helped = _outbox.EnqueueMany(helps);
        Interlocked.Add(ref _statusHelps, helped);
        return helped;
    }
}
