namespace ImeiEir.Core;

/// <summary>
/// A part of the process whose state goes into every backup (the notifier, registered by the host): asked once per
/// backup, when its sequence is read, for a copy consistent in itself.
/// </summary>
public interface IBackupSectionSource
{
    IReadOnlyList<BackupSection> CaptureSections();
}
