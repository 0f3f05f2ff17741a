using Microsoft.Extensions.Logging;

namespace ImeiEir.Node;

/// <summary>
/// The node's log messages: source-generated, so they cost nothing when disabled, with stable event ids
/// (docs/ARCHITECTURE.md, convention 13).
/// </summary>
internal static partial class NodeLog
{
    [LoggerMessage(1, LogLevel.Information, "Store recovered from its checkpoint in {Directory} at sequence {Sequence}, taken {AgeSeconds:F0} s ago; answering from it at once and catching up from there")]
    public static partial void StoreRecovered(ILogger logger, string directory, ulong sequence, double ageSeconds);

    [LoggerMessage(8, LogLevel.Warning, "Store checkpoint in {Directory}, taken {AgeSeconds:F0} s ago, was taken before a bootstrap finished: it is not a whole copy of the lists. Nothing is answered (Diameter connections closed at once, N5g-eir and the lookup 503) until the registry's snapshot has been applied")]
    public static partial void StoreRecoveredIncomplete(ILogger logger, string directory, double ageSeconds);

    [LoggerMessage(9, LogLevel.Information, "No complete store yet (bootstrapping from the registry): nothing is answered (Diameter connections closed at once, N5g-eir and the lookup 503) until the registry's snapshot has been applied")]
    public static partial void StoreNotComplete(ILogger logger);

    [LoggerMessage(3, LogLevel.Information, "Store checkpointed to {Directory} at sequence {Sequence}")]
    public static partial void StoreCheckpointed(ILogger logger, string directory, ulong sequence);

    [LoggerMessage(4, LogLevel.Error, "Store checkpoint failed; serving continues and the next interval retries")]
    public static partial void StoreCheckpointFailed(ILogger logger, Exception exception);

    [LoggerMessage(5, LogLevel.Warning, "Store checkpoint in {Directory} could not be recovered ({Failure}); starting empty")]
    public static partial void StoreRecoveryFailed(ILogger logger, string directory, string failure);

    [LoggerMessage(7, LogLevel.Information, "Store opened in {Directory}: hash index {IndexMiB} MiB, {HugePageMiB} MiB of it advised onto 2 MiB pages; bucket prefetch {Prefetch}")]
    public static partial void StoreOpened(ILogger logger, string directory, long indexMiB, long hugePageMiB, string prefetch);

    [LoggerMessage(10, LogLevel.Information, "Diameter peer {PeerHost} up on connection {ConnectionId} ({Remote})")]
    public static partial void PeerUp(ILogger logger, string peerHost, string connectionId, string? remote);

    [LoggerMessage(11, LogLevel.Information, "Diameter peer {PeerHost} closed connection {ConnectionId}: {Why}")]
    public static partial void PeerClosed(ILogger logger, string peerHost, string connectionId, string why);

    [LoggerMessage(12, LogLevel.Warning, "Diameter connection {ConnectionId} ({Remote}) rejected at CER: {Why}")]
    public static partial void CerRejected(ILogger logger, string connectionId, string? remote, string why);

    [LoggerMessage(13, LogLevel.Warning, "Diameter connection {ConnectionId} ({Remote}) closed: {Why}")]
    public static partial void ProtocolViolation(ILogger logger, string connectionId, string? remote, string why);

    [LoggerMessage(14, LogLevel.Debug, "Watchdog: DWR sent to {PeerHost} after {Silence} of silence")]
    public static partial void WatchdogSent(ILogger logger, string peerHost, TimeSpan silence);

    [LoggerMessage(15, LogLevel.Debug, "Watchdog: DWA received from {PeerHost}")]
    public static partial void WatchdogAnswered(ILogger logger, string peerHost);

    [LoggerMessage(16, LogLevel.Debug, "Watchdog: DWR received from {PeerHost}, DWA sent")]
    public static partial void WatchdogReceived(ILogger logger, string peerHost);

    [LoggerMessage(17, LogLevel.Information, "DPR received from {PeerHost} (cause {Cause}); DPA sent, closing")]
    public static partial void DisconnectReceived(ILogger logger, string peerHost, uint cause);

    [LoggerMessage(18, LogLevel.Information, "DPR sent to {PeerHost} (shutting down)")]
    public static partial void DisconnectSent(ILogger logger, string peerHost);

    [LoggerMessage(19, LogLevel.Debug, "Diameter connection {ConnectionId} ended by the transport: {Why}")]
    public static partial void TransportClosed(ILogger logger, string connectionId, string why);

    [LoggerMessage(21, LogLevel.Warning, "{Count} more like this from {Source} suppressed ({EventName}: at most {Lines} lines per {Interval} from one address)")]
    public static partial void Suppressed(ILogger logger, int count, string source, string eventName, int lines, TimeSpan interval);

    [LoggerMessage(22, LogLevel.Warning, "Diameter peer {PeerHost} on connection {ConnectionId} ({Remote}): {Why}; the connection stays")]
    public static partial void MalformedRequest(ILogger logger, string peerHost, string connectionId, string? remote, string why);

    [LoggerMessage(26, LogLevel.Information, "Diameter connection {ConnectionId} ({Remote}) closed at once: the store is not complete yet (bootstrapping), so the peer uses another EIR meanwhile. Connections opened before the store became incomplete: {Open} (their ECRs get 3004)")]
    public static partial void ConnectionRefusedIncomplete(ILogger logger, string connectionId, string? remote, int open);

    [LoggerMessage(41, LogLevel.Warning, "The checkpoint of {What} at shutdown did not finish within the shutdown timeout (Store:ShutdownCheckpointTimeout, {Seconds} s): the next start recovers the previous checkpoint and catches up from there")]
    public static partial void ShutdownCheckpointAbandoned(ILogger logger, string what, double seconds);

    [LoggerMessage(48, LogLevel.Warning, "The checkpoint of the node's store at shutdown failed ({Failure}): the next start recovers the previous checkpoint and catches up from the registry")]
    public static partial void ShutdownCheckpointFailed(ILogger logger, string failure);
}
