using ImeiEir.Core;
using ImeiEir.Notify.Notices;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Notify.Rules;

/// <summary>
/// Which registry event makes which notice. The registry's host feeds it the registry's events; it needs nothing of
/// the registry but the event types of <c>ImeiEir.Core</c> and a way to read a device's record:
/// <list type="bullet">
/// <item>a recorded sighting (created, existing or attach) of a device grey before its deadline, with a subscriber's
/// IMSI: a grey-start notice, then the IMEI help where the subscriber's template set has one, and the pair the
/// reminders go to;</item>
/// <item>a refused attach (<see cref="SightingKind.BlackAttach"/>) of a device black, or grey past its deadline
/// (answered as black; its expiry not written yet), with a subscriber's IMSI: a blocked-attach notice, and the status
/// help once per (IMEI, IMSI) where the subscriber's template set has one;</item>
/// <item>a home attach (<see cref="SightingKind.HomeAttach"/>, a node's pair report) of a white device: the status help
/// once per (IMEI, IMSI) where the subscriber's template set has one;</item>
/// <item>an expiry (grey turned black): a blacklisted notice to every subscriber seen with the device;</item>
/// <item>the daily reminders, started and stopped with this object, over the records <see cref="DeviceLookup"/> reads.</item>
/// </list>
/// Roamers' attaches come without an IMSI and make nothing. The events are handled after the registry's batch is
/// durable and after the node has its answer, so a slow or failing outbox never delays an attach. The outbox fails
/// only when its disk does: that is logged, and those subscribers are not told (the registry's records, which decide
/// the answers, are already durable); nothing is thrown back into the registry.
/// </summary>
public sealed class RegistryNoticeRules : IAsyncDisposable
{
    private readonly NoticeTriggers _triggers;
    private readonly DailyReminders _reminders;
    private readonly RegimeClock _clock;
    private readonly ILogger _logger;

    internal RegistryNoticeRules(NoticeTriggers triggers, DailyReminders reminders, RegimeClock clock, ILogger logger)
    {
        _triggers = triggers;
        _reminders = reminders;
        _clock = clock;
        _logger = logger;
    }

    /// <summary>New notices of <paramref name="kind"/> made since start (for metrics).</summary>
    public long Made(NoticeKind kind) => kind switch
    {
        NoticeKind.GreyStart => _triggers.GreyStarts,
        NoticeKind.DailyReminder => _reminders.RemindersEnqueued,
        NoticeKind.Blacklisted => _triggers.Blacklisted + _reminders.BlacklistedEnqueued,
        NoticeKind.BlockedAttach => _triggers.Blocked,
        NoticeKind.ImeiHelp => _triggers.ImeiHelps,
        NoticeKind.StatusHelp => _triggers.StatusHelps,
        _ => 0,
    };

    /// <summary>Starts the daily reminders (the start-up sweep for missed expiries, then a round a day).</summary>
    public void Start() => _reminders.Start();

    /// <summary>A batch of sightings the registry recorded: grey-start, blocked-attach and status notices.</summary>
    public void OnSightingsRecorded(SightingReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var grey = new List<GreyAttach>();
        var black = new List<BlackAttach>();
        var white = new List<WhiteAttach>();
        foreach (RecordedSighting recorded in report.Sightings)
        {
            if (recorded.Outcome is not (SightingOutcome.Created or SightingOutcome.Existing or SightingOutcome.Attach)) continue;
            if (recorded.Sighting.Imsi.IsNone) continue;
            Sighting sighting = recorded.Sighting;
            ImeiRecord record = recorded.Record;
            // A pair report comes from a device its node answered as neither grey nor black (white, M2M, legacy): even
            // if the registry has it grey by now, that subscriber's node did not tell them so.
            if (sighting.Kind != SightingKind.HomeAttach && record.List == ListKind.Grey && record.DeadlineUnixSeconds > sighting.SeenUnixSeconds)
                grey.Add(new GreyAttach(sighting.Imei, sighting.Imsi.ToString(), record.DeadlineUnixSeconds, sighting.SeenUnixSeconds));
            else if (sighting.Kind == SightingKind.BlackAttach && (record.List == ListKind.Black || record.List == ListKind.Grey))
                // Black, or grey past its deadline (answered BLACKLISTED; the expiry has not been written yet).
                black.Add(new BlackAttach(sighting.Imei, sighting.Imsi.ToString(), sighting.SeenUnixSeconds));
            else if (sighting.Kind == SightingKind.HomeAttach && record.List == ListKind.White)
                white.Add(new WhiteAttach(sighting.Imei, sighting.Imsi.ToString(), sighting.SeenUnixSeconds));
        }
        Enqueue(grey.Count + black.Count + white.Count, () =>
        {
            if (grey.Count > 0) _triggers.OnGreyAttaches(grey);
            if (black.Count > 0) _triggers.OnBlackAttaches(black);
            if (white.Count > 0) _triggers.OnWhiteAttaches(white);
        });
    }

    /// <summary>The registry's expiry turned these grey devices black: blacklisted notices, now on the regime clock.</summary>
    public void OnExpired(IReadOnlyList<Change> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        Enqueue(changes.Count, () => _triggers.OnExpired(changes.Select(c => Imei.FromKey(c.ImeiKey)), _clock.Now));
    }

    /// <summary>Stops the daily reminders; a second call does nothing.</summary>
    public ValueTask DisposeAsync() => _reminders.DisposeAsync();

    private void Enqueue(int count, Action enqueue)
    {
        if (count == 0) return;
        try
        {
            enqueue();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or ArgumentException)
        {
            RulesLog.NoticesFailed(_logger, count, e);
        }
    }
}
