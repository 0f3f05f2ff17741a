namespace ImeiEir.Server.Hosting;

/// <summary>Tells a full disk's IOException (ENOSPC, or EDQUOT: a quota is as full as a disk) from other I/O failures.</summary>
internal static class DiskFull
{
    public static bool Is(Exception? e) =>
        e is IOException io && ((io.HResult & 0xFFFF) is 28 or 122 || io.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase));
}
