namespace ImeiEir.Core;

/// <summary>
/// State kept beside the registry's change log that a restore cannot rebuild from the changes (the TAC database, the
/// notifier's state), carried in a backup under a name (<see cref="BackupFormat"/>, version 3).
/// </summary>
/// <param name="Name">Printable ASCII without spaces, unique within a backup: <c>tac</c>, <c>notify/outbox.journal</c>, ...</param>
/// <param name="Content">The bytes, as the owner wrote them.</param>
public sealed record BackupSection(string Name, byte[] Content);
