using Microsoft.Extensions.Logging;

namespace ImeiEir.Server;

/// <summary>
/// The host's log messages: source-generated, so they cost nothing when disabled, with stable event ids
/// (docs/ARCHITECTURE.md, convention 13). The node's own lines are in ImeiEir.Node's NodeLog (ids 1, 3-5, 7, 10-19,
/// 41), the epoll transport's in its EpollLog (20), the registry's seeding line in RegistryLog (2), the notice rules'
/// in Notify's RulesLog (40).
/// </summary>
internal static partial class ServerLog
{
    [LoggerMessage(6, LogLevel.Information, "Node caught up with the registry at sequence {Sequence}; ready")]
    public static partial void NodeReady(ILogger logger, ulong sequence);

    [LoggerMessage(41, LogLevel.Warning, "The checkpoint of {What} at shutdown did not finish within the shutdown timeout (Store:ShutdownCheckpointTimeout, {Seconds} s): the next start recovers the previous checkpoint and catches up from there")]
    public static partial void ShutdownCheckpointAbandoned(ILogger logger, string what, double seconds);

    [LoggerMessage(42, LogLevel.Warning, "Configuration key {OldKey} is deprecated: it is read as {NewKey}; rename it")]
    public static partial void DeprecatedKey(ILogger logger, string oldKey, string newKey);
}
