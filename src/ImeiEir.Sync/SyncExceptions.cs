namespace ImeiEir.Sync;

/// <summary>The registry answered a request with an error status (401, 500, ...); the agent backs off and retries.</summary>
internal sealed class RegistryRefusedException(string message) : Exception(message);

/// <summary>The registry answered 409 to a feed request: its last sequence is below the node's (restored from an older backup).</summary>
internal sealed class RegistryBehindException(string detail) : Exception(detail);

/// <summary>A snapshot that is cut, damaged or inconsistent; the agent downloads it again.</summary>
internal sealed class SnapshotException(string message) : Exception(message);
