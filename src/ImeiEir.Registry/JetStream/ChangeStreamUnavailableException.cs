namespace ImeiEir.Registry.JetStream;

/// <summary>
/// The change stream could not be reached or did not answer in time (no quorum, every server down): whether the
/// changes of the failed append are in the stream is not known. Appending the same batch again is safe within the
/// stream's duplicate window (2 min): a message already stored is recognised by its id (the writer, its first change
/// and a hash of its bytes, <see cref="ChangeMessage.MessageId"/>) and acknowledged again, not stored twice.
/// </summary>
public sealed class ChangeStreamUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
