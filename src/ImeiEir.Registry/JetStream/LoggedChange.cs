using ImeiEir.Core;

namespace ImeiEir.Registry.JetStream;

/// <summary>
/// One change as the log keeps it: the change and the sequence of the change before it to the same IMEI
/// (<see cref="LogEntry"/>'s back-link, 0 for the first).
/// </summary>
internal readonly record struct LoggedChange(Change Change, ulong Previous);
