using Microsoft.Extensions.Logging;

namespace ImeiEir.Notify;

/// <summary>
/// Turns what the registry learns into notices. The grey-start notice: the first time a subscriber is seen with a
/// grey device, they are told it works until the deadline. Once per (IMEI, IMSI, deadline) by the notice's key, so
/// the same sighting reported again (a node's retry, a second node, a restart) adds nothing, and a subscriber who
/// moves the SIM to another grey device is told about that one too.
/// </summary>
public sealed class NoticeTriggers
{
    private readonly NoticeOutbox _outbox;
    private readonly NoticeCalendar _calendar;
    private readonly ILogger _logger;
    private long _greyStarts;
    private long _skipped;

    public NoticeTriggers(NoticeOutbox outbox, NoticeCalendar calendar, ILogger logger)
    {
        _outbox = outbox;
        _calendar = calendar;
        _logger = logger;
    }

    /// <summary>Grey-start notices enqueued (new ones only).</summary>
    public long GreyStarts => Interlocked.Read(ref _greyStarts);

    /// <summary>Attaches that could not become a notice: no IMSI, or a grey record without a deadline.</summary>
    public long Skipped => Interlocked.Read(ref _skipped);

    /// <summary>Enqueues, durably before returning, a grey-start notice per new (IMEI, IMSI, deadline); returns how many were new.</summary>
    public int OnGreyAttaches(IEnumerable<GreyAttach> attaches)
    {
        ArgumentNullException.ThrowIfNull(attaches);
        var requests = new List<NoticeRequest>();
        foreach (GreyAttach attach in attaches)
        {
            // Without an IMSI nobody can be told; without a deadline the text has no date to give.
            if (!Core.ImsiText.IsValidImsi(attach.Imsi) || attach.DeadlineUnixSeconds == 0)
            {
                Interlocked.Increment(ref _skipped);
                continue;
            }
            requests.Add(new NoticeRequest(NoticeKind.GreyStart, attach.Imei, attach.Imsi, attach.DeadlineUnixSeconds,
                _calendar.LocalDate(DateTimeOffset.FromUnixTimeSeconds(attach.SeenUnixSeconds))));
        }
        if (requests.Count == 0) return 0;
        int added = _outbox.EnqueueMany(requests);
        Interlocked.Add(ref _greyStarts, added);
        if (added > 0) NotifyLog.GreyStartsEnqueued(_logger, added, requests.Count - added);
        return added;
    }
}
