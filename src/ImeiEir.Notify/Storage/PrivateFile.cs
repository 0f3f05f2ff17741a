using Microsoft.Win32.SafeHandles;

namespace ImeiEir.Notify.Storage;

/// <summary>
/// Files of personal data (IMSIs, MSISDNs, IINs) and secrets are the owner's alone: 0600 whatever the umask. Created
/// so (<see cref="Create"/>), and tightened when they already exist (<see cref="Tighten(SafeFileHandle)"/>), a file
/// replaced by rename before the rename. No-op on Windows.
/// </summary>
internal static class PrivateFile
{
    public const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary><paramref name="options"/> (whose mode creates a file) with a 0600 create mode.</summary>
    public static FileStreamOptions Create(FileStreamOptions options)
    {
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = Mode;
        return options;
    }

    /// <summary>Sets the open file's mode to 0600 (it may have existed with another mode, which creation keeps).</summary>
    public static void Tighten(SafeFileHandle handle)
    {
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(handle, Mode);
    }

    /// <summary>Sets <paramref name="path"/>'s mode to 0600.</summary>
    public static void Tighten(string path)
    {
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, Mode);
    }
}
