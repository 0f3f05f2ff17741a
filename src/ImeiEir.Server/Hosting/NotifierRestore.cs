using ImeiEir.Core;
using ImeiEir.Notify;
using ImeiEir.Notify.Outbox;
using ImeiEir.Registry;

namespace ImeiEir.Server.Hosting;

/// <summary>
/// With <c>Registry:RestoreFrom</c>, writes the backup's notifier sections into <c>Notify:DataDirectory</c> before the
/// host is built: the notifier opens its files when its services are first resolved, before the registry's own
/// restore runs in its StartAsync. The backup is checked whole first (header, length, trailer), so a bad file writes
/// nothing here. A version-2 backup has no sections: the notifier then starts empty, as before. In JetStream mode the
/// restored notices go to the shared bucket <c>&lt;Stream&gt;_NOTICES</c> when the notifier first shares its outbox
/// (<see cref="NoticeOutbox.RestoredFileName"/>).
/// </summary>
internal static class NotifierRestore
{
    /// <exception cref="ConfigurationException">The backup is not whole, or the notifier's directory already holds state; one line naming the key.</exception>
    public static void Run(ServerSettings settings)
    {
        if (!settings.Mode.RunsRegistry() || settings.Registry.RestoreFrom is not { } backup) return;
        try
        {
            NotifierBackup.Restore(BackupFormat.ReadSections(backup), settings.Notify.DataDirectory);
            // JetStream mode: the outbox is the stream's bucket, not this journal; the first share puts the notices there.
            if (string.Equals(settings.Registry.Log?.Trim(), RegistryOptions.JetStreamLog, StringComparison.OrdinalIgnoreCase))
            {
                Directory.CreateDirectory(settings.Notify.DataDirectory); // a version-2 backup restores no notifier file
                File.WriteAllText(Path.Combine(settings.Notify.DataDirectory, NoticeOutbox.RestoredFileName), $"restored from {backup}\n");
            }
        }
        catch (Exception e) when (e is InvalidDataException or InvalidOperationException or IOException)
        {
            throw new ConfigurationException($"{RegistryOptions.Section}:RestoreFrom: {e.Message}");
        }
    }
}
