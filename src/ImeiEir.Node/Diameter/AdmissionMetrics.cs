using ImeiEir.Node.Observability;
using Prometheus;

namespace ImeiEir.Node.Diameter;

/// <summary>
/// <see cref="PeerAdmission"/>'s pending pool as Prometheus metrics, read when /metrics is scraped
/// (docs/ARCHITECTURE.md, convention 13): a pool that stays full, or evictions that keep climbing, is a scan or a
/// flood of sockets that never send a CER, which imeieir_diameter_connections alone cannot tell from MMEs.
/// </summary>
internal static class AdmissionMetrics
{
    public static void Register(NodeMetrics metrics, PeerAdmission admission)
    {
        Gauge pending = metrics.Factory.CreateGauge("imeieir_diameter_pending_connections",
            "Diameter connections open now that have not had their CER answered yet (at most Diameter:MaxPendingConnections).");
        Counter evicted = metrics.Factory.CreateCounter("imeieir_diameter_pending_evicted_total",
            "Connections without CER closed to make room in a full pending pool (the oldest first).");
        metrics.Registry.AddBeforeCollectCallback(() =>
        {
            pending.Set(admission.PendingConnections);
            evicted.IncTo(admission.EvictedConnections);
        });
    }
}
