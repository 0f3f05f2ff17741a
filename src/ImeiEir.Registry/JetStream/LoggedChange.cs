using ImeiEir.Core;

namespace ImeiEir.Registry.JetStream;

/// <summary>
/// One change as the log keeps it: the change and the sequence of the change before it to the same IMEI
/// (<see cref="LogEntry"/>'s back-link, 0 for the first). <paramref name="By"/>: who wrote it, as the stream message
/// that carried it says (null: not carried, or not read from the stream).
/// </summary>
internal readonly record struct LoggedChange(Change Change, ulong Previous, Attribution? By = null);
