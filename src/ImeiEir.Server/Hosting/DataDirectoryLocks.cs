namespace ImeiEir.Server.Hosting;

/// <summary>The locks one process holds (store, registry or both), disposed with the host.</summary>
internal sealed class DataDirectoryLocks(IReadOnlyList<DataDirectoryLock> locks) : IDisposable
{
    /// <summary>Locks the directories <paramref name="settings"/>' mode writes: the node's store, the registry's directory.</summary>
    public static DataDirectoryLocks Acquire(ServerSettings settings)
    {
        var held = new List<DataDirectoryLock>();
        try
        {
            if (settings.Mode.RunsNode()) held.Add(DataDirectoryLock.Acquire(settings.StoreDirectory));
            if (settings.Mode.RunsRegistry()) held.Add(DataDirectoryLock.Acquire(settings.RegistryDirectory));
            return new DataDirectoryLocks(held);
        }
        catch
        {
            foreach (DataDirectoryLock l in held) l.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        foreach (DataDirectoryLock l in locks) l.Dispose();
    }
}
