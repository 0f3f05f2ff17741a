using ImeiEir.Core;
using ImeiEir.Notify;
using ImeiEir.Registry;

namespace ImeiEir.Server.Hosting;

/// <summary>
/// With <c>Registry:RestoreFrom</c>, writes the backup's notifier sections into <c>Notify:DataDirectory</c> before the
/// host is built: the notifier opens its files when its services are first resolved, before the registry's own
/// restore runs in its StartAsync. The backup is checked whole first (header, length, trailer), so a bad file writes
/// nothing here. A version-2 backup has no sections: the notifier then starts empty, as before.
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
        }
        catch (Exception e) when (e is InvalidDataException or InvalidOperationException or IOException)
        {
            throw new ConfigurationException($"{RegistryOptions.Section}:RestoreFrom: {e.Message}");
        }
    }
}
