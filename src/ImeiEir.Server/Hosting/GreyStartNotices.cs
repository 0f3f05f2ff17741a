using ImeiEir.Core;
using ImeiEir.Notify;
using ImeiEir.Registry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Server.Hosting;

/// <summary>
/// Follows the registry's recorded sightings and hands every subscriber seen with a grey device to the notifier's
/// grey-start trigger. It runs after the batch is durable and after the node has its answer, so a slow or failing
/// outbox never delays an attach. The outbox fails only when its disk does; that is logged, and those subscribers
/// are not told (the registry's records, which decide the answers, are already durable).
/// </summary>
internal sealed class GreyStartNotices : IHostedService
{
    private readonly RegistryLifecycle _registry;
    private readonly NoticeTriggers _triggers;
    private readonly ILogger<GreyStartNotices> _logger;

    public GreyStartNotices(RegistryLifecycle registry, Notifier notifier, ILogger<GreyStartNotices> logger)
    {
        _registry = registry;
        _triggers = new NoticeTriggers(notifier.Outbox, notifier.Calendar, logger);
        _logger = logger;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _registry.SightingsRecorded += OnRecorded;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _registry.SightingsRecorded -= OnRecorded;
        return Task.CompletedTask;
    }

    private void OnRecorded(SightingReport report)
    {
        var attaches = new List<GreyAttach>();
        foreach (RecordedSighting recorded in report.Sightings)
        {
            if (recorded.Outcome is not (SightingOutcome.Created or SightingOutcome.Existing or SightingOutcome.Attach)) continue;
            if (recorded.Record.List != ListKind.Grey || recorded.Sighting.Imsi.IsNone) continue;
            attaches.Add(new GreyAttach(recorded.Sighting.Imei, recorded.Sighting.Imsi.ToString(),
                recorded.Record.DeadlineUnixSeconds, recorded.Sighting.SeenUnixSeconds));
        }
        if (attaches.Count == 0) return;
        try
        {
            _triggers.OnGreyAttaches(attaches);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or ArgumentException)
        {
            ServerLog.GreyStartNoticesFailed(_logger, attaches.Count, e);
        }
    }
}
