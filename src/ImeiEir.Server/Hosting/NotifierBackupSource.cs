using ImeiEir.Core;
using ImeiEir.Notify;

namespace ImeiEir.Server.Hosting;

/// <summary>
/// Puts the notifier's state into every registry backup (registry and all-in-one modes, where the notifier runs in
/// the registry's process): the registry asks each <see cref="IBackupSectionSource"/> when it reads the backup's
/// sequence, and never sees the notifier itself (docs/ARCHITECTURE.md, "Projects": Registry and Notify meet in Core).
/// </summary>
internal sealed class NotifierBackupSource(Notifier notifier) : IBackupSectionSource
{
    public IReadOnlyList<BackupSection> CaptureSections() => NotifierBackup.Capture(notifier);
}
