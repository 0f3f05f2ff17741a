namespace ImeiEir.Integration.Tests;

/// <summary>
/// The real server with its DataDir on a 64 MiB tmpfs that the test fills (issue 21, section 6): SIGTERM on a full
/// disk exits 0 and leaves no partial checkpoint; a start while still full exits 2 with one line naming ENOSPC and
/// the file; once space is freed it starts and stops cleanly. The tmpfs is mounted and unmounted by the test
/// (root); where mounting is refused the test is reported as skipped, with why.
/// </summary>
[TestFixture]
public sealed class DiskFullServerTests
{
    [Test]
    public void A_server_on_a_full_disk_stops_cleanly_refuses_to_start_in_one_line_and_starts_once_space_is_freed()
    {
        using TmpfsMount? disk = TmpfsMount.TryMount(64, out string why);
        if (disk is null)
        {
            Assert.Ignore(why);
            return;
        }
        string[] onDisk = [$"--DataDir={Path.Combine(disk.Path, "data")}", "--Registry:MinFreeBytes=4194304"];

        string filler;
        using (ServerProcess server = ServerProcess.Start(onDisk))
        {
            filler = disk.Fill();
            Assert.That(server.Stop(), Is.Zero, server.Output);
            Assert.That(server.Output, Does.Not.Contain("Unhandled exception"), server.Output);
        }
        foreach (string store in new[] { "store", "registry/view" })
        {
            // Only the checkpoint the manifest names (none when the disk filled before the first): nothing partial.
            string directory = Path.Combine(disk.Path, "data", store);
            string manifest = Path.Combine(directory, "checkpoint.manifest");
            string[] expected = File.Exists(manifest)
                ? [File.ReadLines(manifest).Single(l => l.StartsWith("token ", StringComparison.Ordinal))[6..]]
                : [];
            string checkpoints = Path.Combine(directory, "checkpoints");
            if (Directory.Exists(checkpoints))
            {
                foreach (string kind in Directory.EnumerateDirectories(checkpoints))
                    Assert.That(Directory.EnumerateDirectories(kind).Select(Path.GetFileName), Is.EqualTo(expected), kind + "\n" + string.Join('\n', Directory.EnumerateFiles(checkpoints, "*", SearchOption.AllDirectories)));
            }
            Assert.That(File.Exists(Path.Combine(directory, "checkpoint.manifest.tmp")), Is.False, store);
        }

        (string file, string[] arguments, Dictionary<string, string> environment, string root) = ServerProcess.CommandInNewDirectory(onDisk);
        try
        {
            using ChildProcess full = ChildProcess.Start(file, arguments, environment, root);
            Assert.That(full.WaitForExit(TimeSpan.FromSeconds(60)), Is.True, full.Transcript);
            Assert.That(full.ExitCode, Is.EqualTo(2), full.Transcript);
            string[] ours = [.. full.StderrLines.Where(l => l.StartsWith("imeieir:", StringComparison.Ordinal))];
            Assert.That(ours, Has.Length.EqualTo(1), full.Transcript);
            Assert.That(ours[0], Does.Contain("ENOSPC").And.Contain(disk.Path), full.Transcript);
            Assert.That(full.Transcript, Does.Not.Contain("Unhandled exception"), full.Transcript);
            Assert.That(full.Transcript, Does.Not.Contain("Hosting failed to start"), "our line only, not the host's stack trace before it");
        }
        finally
        {
            TestEnvironment.DeleteQuietly(root);
        }

        File.Delete(filler);
        using ServerProcess again = ServerProcess.Start(onDisk);
        Assert.That(again.Stop(), Is.Zero, again.Output);
    }
}
