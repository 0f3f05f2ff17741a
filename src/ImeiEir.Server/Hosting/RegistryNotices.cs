using ImeiEir.Core;
using ImeiEir.Notify;
using ImeiEir.Registry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Server.Hosting;

/// <summary>
/// Wires the registry's grey lifecycle to the notifier: recorded sightings of grey devices become grey-start notices
/// (and the pairs the reminders go to), attaches of black devices blocked-attach notices, expiries blacklisted notices;
/// and it runs the daily reminders over the registry's view. Sightings are handled after their batch is durable and
/// after the node has its answer, so a slow or failing outbox never delays an attach. The outbox fails only when its
/// disk does; that is logged, and those subscribers are not told (the registry's records, which decide the answers,
/// are already durable).
/// </summary>
internal sealed class RegistryNotices : IHostedService, IAsyncDisposable
{
    private readonly RegistryLifecycle _registry;
    private readonly RegimeClock _clock;
    private readonly NoticeTriggers _triggers;
    private readonly DailyReminders _reminders;
    private readonly ILogger<RegistryNotices> _logger;

    public RegistryNotices(RegistryLifecycle registry, Notifier notifier, RegimeClock clock, ILogger<RegistryNotices> logger)
    {
        _registry = registry;
        _clock = clock;
        _triggers = notifier.CreateTriggers(logger);
        // The registry's view is read only once the loop runs, after the registry has opened (it starts first).
        _reminders = notifier.CreateReminders((Imei imei, out ImeiRecord record) => registry.Service.TryGet(imei, out record), clock.Time, logger);
        _logger = logger;
    }

    /// <summary>New notices of <paramref name="kind"/> made by this process (for metrics).</summary>
    public long Made(NoticeKind kind) => kind switch
    {
        NoticeKind.GreyStart => _triggers.GreyStarts,
        NoticeKind.DailyReminder => _reminders.RemindersEnqueued,
        NoticeKind.Blacklisted => _triggers.Blacklisted + _reminders.BlacklistedEnqueued,
        NoticeKind.BlockedAttach => _triggers.Blocked,
        _ => 0,
    };

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _registry.SightingsRecorded += OnRecorded;
        _registry.Expiry.Expired += OnExpired;
        _reminders.Start();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _registry.SightingsRecorded -= OnRecorded;
        if (_registry.IsOpen) _registry.Expiry.Expired -= OnExpired;
        await DisposeAsync();
    }

    public ValueTask DisposeAsync() => _reminders.DisposeAsync();

    private void OnRecorded(SightingReport report)
    {
        var grey = new List<GreyAttach>();
        var black = new List<BlackAttach>();
        foreach (RecordedSighting recorded in report.Sightings)
        {
            if (recorded.Outcome is not (SightingOutcome.Created or SightingOutcome.Existing or SightingOutcome.Attach)) continue;
            if (recorded.Sighting.Imsi.IsNone) continue;
            Sighting sighting = recorded.Sighting;
            ImeiRecord record = recorded.Record;
            if (record.List == ListKind.Grey && record.DeadlineUnixSeconds > sighting.SeenUnixSeconds)
                grey.Add(new GreyAttach(sighting.Imei, sighting.Imsi.ToString(), record.DeadlineUnixSeconds, sighting.SeenUnixSeconds));
            else if (sighting.Kind == SightingKind.BlackAttach && (record.List == ListKind.Black || record.List == ListKind.Grey))
                // Black, or grey past its deadline (answered BLACKLISTED; the expiry has not been written yet).
                black.Add(new BlackAttach(sighting.Imei, sighting.Imsi.ToString(), sighting.SeenUnixSeconds));
        }
        Notify(grey.Count + black.Count, () =>
        {
            if (grey.Count > 0) _triggers.OnGreyAttaches(grey);
            if (black.Count > 0) _triggers.OnBlackAttaches(black);
        });
    }

    private void OnExpired(IReadOnlyList<Change> changes) =>
        Notify(changes.Count, () => _triggers.OnExpired(changes.Select(c => Imei.FromKey(c.ImeiKey)), _clock.Now));

    private void Notify(int count, Action enqueue)
    {
        if (count == 0) return;
        try
        {
            enqueue();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or ArgumentException)
        {
            ServerLog.NoticesFailed(_logger, count, e);
        }
    }
}
