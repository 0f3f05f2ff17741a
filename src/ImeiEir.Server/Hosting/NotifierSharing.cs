using ImeiEir.Notify;
using ImeiEir.Notify.Sharing;
using ImeiEir.Registry.JetStream;
using NATS.Client.Core;

namespace ImeiEir.Server.Hosting;

/// <summary>
/// With <c>Registry:Log=JetStream</c>, the notifier's outbox is shared by the stream's registry processes and one of
/// them sends (docs/ARCHITECTURE.md, "Notices"): this owns the NATS connection of the bucket <c>&lt;Stream&gt;_NOTICES</c>
/// and the sender lease <c>notifier</c> in <c>&lt;Stream&gt;_LEASES</c>, on the registry's servers and credentials.
/// Disposed by the container after the notifier, which uses them.
/// </summary>
internal sealed class NotifierSharing : IAsyncDisposable
{
    private readonly NatsConnection _connection;
    private readonly JetStreamLease _lease;

    private NotifierSharing(NatsConnection connection, JetStreamLease lease, NoticeSharing sharing)
    {
        _connection = connection;
        _lease = lease;
        Sharing = sharing;
    }

    public NoticeSharing Sharing { get; }

    /// <exception cref="ChangeStreamUnavailableException">No NATS server answered.</exception>
    public static async Task<NotifierSharing> OpenAsync(NatsOptions nats, NotifyLeaseOptions lease, CancellationToken ct)
    {
        JetStreamLease jetStreamLease = await JetStreamLease.OpenAsync(nats, "notifier", lease.TimeToLive, ct);
        NatsConnection connection = NatsConnections.Create(nats);
        return new NotifierSharing(connection, jetStreamLease,
            new NoticeSharing(connection, nats.Stream + "_NOTICES", nats.Replicas, new JetStreamNotifierLease(jetStreamLease), lease.DlrWait));
    }

    public async ValueTask DisposeAsync()
    {
        await _lease.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
