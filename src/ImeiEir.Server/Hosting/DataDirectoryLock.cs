namespace ImeiEir.Server.Hosting;

/// <summary>
/// One process per store and per registry directory. Two processes on one FASTER store would each checkpoint over
/// the other's files and manifest, so a second process on a directory in use must stop before it opens anything
/// there. The lock is an exclusive lock on <c>imeieir.lock</c> in the directory (flock, taken by .NET for <see cref="FileShare.None"/>),
/// released when the process ends however it ends, so a killed server leaves nothing to clean up.
/// </summary>
internal sealed class DataDirectoryLock : IDisposable
{
    public const string FileName = "imeieir.lock";

    // How .NET reports a lock another process holds: the errno of flock on Linux (EWOULDBLOCK), the sharing
    // violation elsewhere.
    private const int WouldBlock = 11;
    private const int SharingViolation = unchecked((int)0x80070020);

    private readonly FileStream _file;

    private DataDirectoryLock(FileStream file) => _file = file;

    /// <summary>Locks <paramref name="directory"/> (creating it) or throws a <see cref="ConfigurationException"/> naming DataDir.</summary>
    public static DataDirectoryLock Acquire(string directory)
    {
        string path = Path.Combine(directory, FileName);
        try
        {
            Directory.CreateDirectory(directory);
            var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            // The holder's pid, for whoever looks (the lock, not the text, is what keeps others out).
            file.SetLength(0);
            file.Write(System.Text.Encoding.ASCII.GetBytes($"{Environment.ProcessId}\n"));
            file.Flush();
            return new DataDirectoryLock(file);
        }
        catch (IOException e) when (e.HResult is WouldBlock or SharingViolation)
        {
            throw new ConfigurationException($"DataDir: {directory} is in use by another imeieir process (it holds {path}); each store and registry directory belongs to one process");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException($"DataDir: cannot lock {path}: {e.Message}");
        }
    }

    public void Dispose() => _file.Dispose();
}
