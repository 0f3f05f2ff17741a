using System.Diagnostics;

namespace ImeiEir.Testing;

/// <summary>
/// A small tmpfs mounted on a fresh temp directory (<c>mount -t tmpfs -o size=…</c>), unmounted and removed on
/// dispose: a disk that a test can fill. Mounting needs root (or CAP_SYS_ADMIN); where it is not allowed,
/// <see cref="TryMount"/> says why and the test is reported as skipped (Assert.Ignore), never as passed.
/// </summary>
public sealed class TmpfsMount : IDisposable
{
    private TmpfsMount(string path) => Path = path;

    public string Path { get; }

    public static TmpfsMount? TryMount(int megabytes, out string why)
    {
        string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "imeieir-tmpfs-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        (int exit, string output) = Run("mount", "-t", "tmpfs", "-o", $"size={megabytes}m", "tmpfs", path);
        if (exit == 0)
        {
            why = "";
            return new TmpfsMount(path);
        }
        Directory.Delete(path);
        why = $"cannot mount a {megabytes} MiB tmpfs (mount needs root or CAP_SYS_ADMIN): exit {exit}: {output.Trim()}";
        return null;
    }

    /// <summary>Writes a file of 1 MiB blocks until the disk says it is full; returns its path.</summary>
    public string Fill(string name = "filler")
    {
        string file = System.IO.Path.Combine(Path, name);
        var block = new byte[1024 * 1024];
        Array.Fill(block, (byte)0x5A); // tmpfs stores zero pages too; any byte does
        using var stream = new FileStream(file, FileMode.Create, FileAccess.Write, FileShare.Read, 1, FileOptions.None);
        for (int i = 0; i < 100_000; i++)
        {
            try
            {
                stream.Write(block);
            }
            catch (IOException)
            {
                // The last partial block may still fit in smaller pieces: take them too, so the disk is wholly full.
                for (int size = block.Length / 2; size >= 4096; size /= 2)
                {
                    try { stream.Write(block, 0, size); }
                    catch (IOException) { }
                }
                return file;
            }
        }
        throw new InvalidOperationException($"{Path} did not fill after 100,000 MiB");
    }

    public long Free => new DriveInfo(Path).AvailableFreeSpace;

    public void Dispose()
    {
        if (Run("umount", Path).Exit != 0) Run("umount", "-l", Path);
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
    }

    private static (int Exit, string Output) Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        try
        {
            using Process process = Process.Start(start)!;
            string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            if (!process.WaitForExit(30_000))
            {
                process.Kill();
                return (-1, $"{file} did not finish in 30 s");
            }
            return (process.ExitCode, output);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, e.Message);
        }
    }
}
