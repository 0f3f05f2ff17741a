using System.Runtime.InteropServices;

namespace ImeiEir.Notify.Storage;

/// <summary>
/// Crash-safe file replacement: write a temporary file, fsync it, rename it over the target, fsync the directory
/// (on Linux a rename is durable only once its directory is synced). A crash leaves the old file or the new one. The
/// new file is 0600 (<see cref="PrivateFile"/>).
/// </summary>
internal static partial class DurableFile
{
    /// <summary>Replaces <paramref name="path"/> with what <paramref name="write"/> writes.</summary>
    public static async Task ReplaceAsync(string path, Func<Stream, Task> write)
    {
        string temporary = path + ".tmp";
        var options = PrivateFile.Create(new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 1 << 16 });
        await using (var stream = new FileStream(temporary, options))
        {
            PrivateFile.Tighten(stream.SafeFileHandle); // a leftover temporary file keeps its mode

            await write(stream);
            await stream.FlushAsync();
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
        SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>fsync(2) on a directory, so a rename or a new file in it survives a power loss. No-op off Unix.</summary>
    public static void SyncDirectory(string directory)
    {
        if (OperatingSystem.IsWindows()) return;
        int fd = Open(directory, 0 /* O_RDONLY */);
        if (fd < 0) return; // best effort: the data itself is already synced
        try { _ = Fsync(fd); }
        finally { _ = Close(fd); }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync")]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
