using NATS.Client.Core;

namespace ImeiEir.Registry.JetStream;

/// <summary>A connection to the registry's NATS servers as the change stream makes it (URLs, credentials, TLS), for a part that shares them (the notifier's outbox).</summary>
public static class NatsConnections
{
    /// <summary>Not connected yet: the first call connects.</summary>
    public static NatsConnection Create(NatsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new NatsConnection(JetStreamChangeStream.ConnectionOptions(options));
    }
}
