using ImeiEir.Notify.Sharing;
using ImeiEir.Registry.JetStream;

namespace ImeiEir.Notify.CrashHost;

/// <summary>The registry's JetStream lease as the notifier's sender lease (as the server wires it); the tests use it too.</summary>
internal sealed class JetStreamNotifierLease(JetStreamLease lease) : INotifierLease
{
    public TimeSpan TimeToLive => lease.TimeToLive;

    public bool IsHeld => lease.IsHeld;

    public Task<bool> TryAcquireOrRenewAsync(CancellationToken ct) => lease.TryAcquireOrRenewAsync(ct);

    public Task ReleaseAsync(CancellationToken ct) => lease.ReleaseAsync(ct);
}
