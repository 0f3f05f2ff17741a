using ImeiEir.Core;

namespace ImeiEir.Sync;

/// <summary>The registry answered a request with an error status (401, 500, ...); the agent backs off and retries.</summary>
internal sealed class RegistryRefusedException(string message, int statusCode) : Exception(message)
{
    /// <summary>A 5xx: the registry's trouble, not the request's, so another registry may well answer.</summary>
    public bool IsServerError { get; } = statusCode >= 500;
}

/// <summary>The registry answered 409 to a feed request: its last sequence is below the node's (restored from an older backup).</summary>
internal sealed class RegistryBehindException(string detail) : Exception(detail);

/// <summary>
/// The registry answered 409 to a feed request, naming the node's own generation, and the node has other processes of
/// that registry to follow: this one has not yet tailed the changes the node applied from another.
/// </summary>
internal sealed class RegistryLaggingException(string detail) : Exception(detail);

/// <summary>The registry's 409 "Behind the retained feed": this node is further behind than the feed is kept (Registry:FeedRetention).</summary>
internal sealed class FeedWindowPassedException(string detail) : Exception(detail);

/// <summary>A snapshot that is cut, damaged or inconsistent; the agent downloads it again.</summary>
internal sealed class SnapshotException(string message) : Exception(message);

/// <summary>The registry names another generation than the one the store holds: a new or restored registry, whose numbers name other changes.</summary>
internal sealed class GenerationChangedException(RegistryGeneration followed, RegistryGeneration announced)
    : Exception($"the registry is generation {announced}, the store holds generation {followed}")
{
    public RegistryGeneration Followed { get; } = followed;

    public RegistryGeneration Announced { get; } = announced;
}
