using ImeiEir.Core;
using ImeiEir.Node.Configuration;
using ImeiEir.Node.Links;
using ImeiEir.Node.Storage;
using Prometheus;

namespace ImeiEir.Node.Observability;

/// <summary>
/// An EIR node's state as gauges and counters, read when /metrics is scraped: feed lag, sightings, records per list.
/// Nothing here runs on the answer or apply paths.
/// </summary>
internal sealed class NodeStateMetrics
{
    private readonly NodeSync _sync;
    private readonly SightingQueue _queue;
    private readonly ListCounter _lists;
    private readonly NodeReadiness _readiness;
    private readonly StoreLifecycle _store;
    private readonly Gauge _ready;
    private readonly Gauge _lagSequences;
    private readonly Gauge _lagSeconds;
    private readonly Gauge _lastApplied;
    private readonly Counter _reconnects;
    private readonly Gauge _registry;
    private readonly Counter _registrySwitches;
    private readonly Gauge _sightingsQueued;
    private readonly Counter _sightingsDropped;
    private readonly Counter _sightingsReported;
    private readonly Counter _sightingsFailedAttempts;
    private readonly Counter _sightingsRejected;
    private readonly Gauge _records;

    public NodeStateMetrics(NodeMetrics metrics, NodeSync sync, SightingQueue queue, StoreLifecycle store, HttpOptions http,
        NodeReadiness readiness)
    {
        _sync = sync;
        _queue = queue;
        _readiness = readiness;
        _store = store;
        _lists = new ListCounter(() => store.Store, http.ListCountInterval);
        IMetricFactory f = metrics.Factory;
        // The alert "node not ready" needs it: /health/ready is not scraped, and a node that answers every check
        // with 503 (catching up, rebuilding) still scrapes fine.
        _ready = f.CreateGauge("imeieir_node_ready", "1 when /health/ready answers 200 (caught up once and the store complete), else 0.");
        _lagSequences = f.CreateGauge("imeieir_sync_lag_sequences", "Changes the registry has published that this node has not applied yet.");
        _lagSeconds = f.CreateGauge("imeieir_sync_lag_seconds", "Registry time of its newest change minus that of the newest change applied here.");
        _lastApplied = f.CreateGauge("imeieir_sync_last_applied_sequence", "Sequence number of the last registry change applied to this node's store.");
        _reconnects = f.CreateCounter("imeieir_sync_reconnects_total", "Times the node reconnected to the registry's feed.");
        _registry = f.CreateGauge("imeieir_sync_registry", "1 for the registry (of those in Registry:Url) this node follows now, 0 for the others.",
            new GaugeConfiguration { LabelNames = ["url"] });
        _registrySwitches = f.CreateCounter("imeieir_sync_registry_switches_total", "Times the node moved to another of the registries in Registry:Url (the one followed failed).");
        _sightingsQueued = f.CreateGauge("imeieir_sightings_queued", "Sightings waiting to reach the registry: queued by answers plus kept for a retry.");
        _sightingsDropped = f.CreateCounter("imeieir_sightings_dropped_total", "Sightings dropped because the queue or the retry set was full; the device is reported again at its next attach.");
        _sightingsReported = f.CreateCounter("imeieir_sightings_reported_total", "Sightings the registry acknowledged.");
        _sightingsFailedAttempts = f.CreateCounter("imeieir_sightings_failed_attempts_total", "Attempts to report sightings that failed (registry down or erroring); the sightings were kept.");
        _sightingsRejected = f.CreateCounter("imeieir_sightings_rejected_total", "Sightings the registry refused as malformed.");
        _records = f.CreateGauge("imeieir_records", "Records in this node's store per list, as of the last count (see Http:ListCountInterval).",
            new GaugeConfiguration { LabelNames = ["list"] });
        metrics.Registry.AddBeforeCollectCallback(Collect);
    }

    private void Collect()
    {
        _ready.Set(_readiness.IsReady && _store.Store.IsComplete ? 1 : 0);
        if (_sync.Agent?.Status is { } status)
        {
            _lagSequences.Set(status.LagSequences);
            _lagSeconds.Set(status.LagSeconds);
            _lastApplied.Set(status.LastApplied);
            _reconnects.IncTo(status.Reconnects);
            _registrySwitches.IncTo(status.RegistrySwitches);
            foreach (Uri registry in _sync.Agent.Registries)
                _registry.WithLabels(registry.ToString()).Set(registry == status.Registry ? 1 : 0);
        }
        if (_sync.Reporter is { } reporter)
        {
            _sightingsQueued.Set(reporter.Queued);
            _sightingsDropped.IncTo(reporter.Dropped);
            _sightingsReported.IncTo(reporter.Reported);
            _sightingsFailedAttempts.IncTo(reporter.FailedAttempts);
            _sightingsRejected.IncTo(reporter.Rejected);
        }
        else
        {
            _sightingsQueued.Set(_queue.Count);
            _sightingsDropped.IncTo(_queue.Overflows);
        }
        if (_lists.Current() is { } counts)
        {
            _records.WithLabels("white").Set(counts.White);
            _records.WithLabels("grey").Set(counts.Grey);
            _records.WithLabels("black").Set(counts.Black);
        }
    }
}
