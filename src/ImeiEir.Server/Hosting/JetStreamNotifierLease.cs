using ImeiEir.Notify.Sharing;
using ImeiEir.Registry.JetStream;

namespace ImeiEir.Server.Hosting;

/// <summary>The registry's JetStream lease as the notifier's sender lease (the notifier does not know the registry). The Notify tests compile this file too.</summary>
internal sealed class JetStreamNotifierLease(JetStreamLease lease) : INotifierLease
{
    public TimeSpan TimeToLive => lease.TimeToLive;

    public bool IsHeld => lease.IsHeld;

    public Task<bool> TryAcquireOrRenewAsync(CancellationToken ct) => lease.TryAcquireOrRenewAsync(ct);

    public Task ReleaseAsync(CancellationToken ct) => lease.ReleaseAsync(ct);
}
