using ImeiEir.Core;
using ImeiEir.Registry;
using ImeiEir.Node.Observability;
using ImeiEir.Server.Hosting;
using Prometheus;

namespace ImeiEir.Server.Observability;

/// <summary>The registry's side: its head, feeds, sightings taken in, grey periods ended and suspected clones. Read at scrape time.</summary>
internal sealed class RegistryMetrics
{
    private readonly RegistryLifecycle _registry;
    private readonly Gauge _lastSequence;
    private readonly Gauge _feeds;
    private readonly Counter _expired;
    private readonly Counter _sightings;
    private readonly Gauge _suspectedClones;
    private readonly Gauge _clonePairs;

    public RegistryMetrics(NodeMetrics metrics, RegistryLifecycle registry)
    {
        _registry = registry;
        IMetricFactory f = metrics.Factory;
        _lastSequence = f.CreateGauge("imeieir_registry_last_sequence", "The registry's last durable change number.");
        _feeds = f.CreateGauge("imeieir_registry_feeds", "Change feed streams open now (one per following node).");
        _expired = f.CreateCounter("imeieir_registry_grey_expired_total", "Grey records this registry process turned black at their deadline.");
        _sightings = f.CreateCounter("imeieir_registry_sightings_total", "Sightings received from nodes, by outcome.",
            new CounterConfiguration { LabelNames = ["outcome"] });
        _suspectedClones = f.CreateGauge("imeieir_registry_suspected_clones", "IMEIs seen with at least Clones:Threshold distinct home IMSIs within Clones:Window (as of the last report or sweep).");
        _clonePairs = f.CreateGauge("imeieir_registry_clone_pairs", "(IMEI, IMSI) pairs the clone watch holds.");
        metrics.Registry.AddBeforeCollectCallback(Collect);
        registry.Registry.SightingsRecorded += OnSightings;
    }

    private void OnSightings(SightingReport report)
    {
        _sightings.WithLabels("created").Inc(report.Created);
        _sightings.WithLabels("existing").Inc(report.Existing);
        _sightings.WithLabels("ignored").Inc(report.Ignored);
        _sightings.WithLabels("attach").Inc(report.Received - report.Created - report.Existing - report.Ignored);
    }

    private void Collect()
    {
        if (!_registry.IsOpen) return;
        _lastSequence.Set(_registry.Service.LastSequence);
        _feeds.Set(_registry.Service.ActiveFeeds);
        _expired.IncTo(_registry.Expiry.ExpiredTotal);
        _suspectedClones.Set(_registry.Clones.Suspected);
        _clonePairs.Set(_registry.Clones.Pairs);
    }
}
