using Prometheus;

namespace ImeiEir.Server.Hosting;

/// <summary>
/// Feed lag as Prometheus gauges, read from the agent's status when /metrics is scraped: nothing on the
/// apply path, nothing per change.
/// </summary>
internal static class SyncMetrics
{
    private static readonly Gauge s_lagSequences = Metrics.CreateGauge(
        "imeieir_sync_lag_sequences", "Changes the registry has published that this node has not applied yet.");

    private static readonly Gauge s_lagSeconds = Metrics.CreateGauge(
        "imeieir_sync_lag_seconds", "Registry time of its newest change minus that of the newest change applied here.");

    private static readonly Gauge s_lastApplied = Metrics.CreateGauge(
        "imeieir_sync_last_applied_sequence", "Sequence number of the last registry change applied to this node's store.");

    private static readonly Counter s_reconnects = Metrics.CreateCounter(
        "imeieir_sync_reconnects_total", "Times the node reconnected to the registry's feed.");

    public static void Register(NodeSync sync) => Metrics.DefaultRegistry.AddBeforeCollectCallback(() =>
    {
        if (sync.Agent?.Status is not { } status)
            return;
        s_lagSequences.Set(status.LagSequences);
        s_lagSeconds.Set(status.LagSeconds);
        s_lastApplied.Set(status.LastApplied);
        s_reconnects.IncTo(status.Reconnects);
    });
}
