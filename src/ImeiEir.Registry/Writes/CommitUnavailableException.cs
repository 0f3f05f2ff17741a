namespace ImeiEir.Registry;

/// <summary>
/// The commit point (the change stream) did not acknowledge a batch: nothing of it is acknowledged, the local log and
/// view are untouched, and the same write again is safe (a 503, as a full disk). Unlike a failed local commit it
/// does not stop later writes.
/// </summary>
internal sealed class CommitUnavailableException(string message, Exception? inner = null) : InvalidOperationException(message, inner);
