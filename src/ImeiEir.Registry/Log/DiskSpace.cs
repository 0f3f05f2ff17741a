namespace ImeiEir.Registry;

/// <summary>
/// The free space of the registry's data directory, checked before every write and checkpoint: below
/// <c>Registry:MinFreeBytes</c> the write is refused with <see cref="RegistryDiskFullException"/> before anything
/// reaches the change log, so the log never meets ENOSPC mid-commit (a failed commit leaves its state known only
/// after a restart) and writes resume by themselves once space is freed.
/// </summary>
internal sealed class DiskSpace(string directory, long minFreeBytes)
{
    public string Directory => directory;

    public long MinFreeBytes => minFreeBytes;

    /// <summary>Bytes free to this process in the data directory's file system (long.MaxValue when it cannot be told).</summary>
    public long Free()
    {
        try
        {
            return new DriveInfo(directory).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return long.MaxValue; // the write itself will say what is wrong
        }
    }

    /// <summary>Why a write must not go ahead now (the disk is short), or null.</summary>
    public string? Shortage()
    {
        long free = Free();
        return free >= minFreeBytes ? null : Describe(free);
    }

    public string Describe(long free) =>
        $"no space left on device (ENOSPC): {directory} has {free / 1024} KiB free, under Registry:MinFreeBytes ({minFreeBytes / 1024} KiB)";

    /// <summary>True for the IOException of a full disk (ENOSPC, or EDQUOT: a quota is as full as a disk).</summary>
    public static bool IsDiskFull(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is IOException io && ((io.HResult & 0xFFFF) is 28 or 122 || io.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase)))
                return true;
        }
        return false;
    }
}

/// <summary>
/// A write refused because the data directory's disk is (nearly) full; nothing was written, and the same write
/// succeeds once space is freed. An <see cref="InvalidOperationException"/>, so callers that map a failed write to
/// 503 do so for this one too.
/// </summary>
internal sealed class RegistryDiskFullException(string message, Exception? inner = null) : InvalidOperationException(message, inner);
