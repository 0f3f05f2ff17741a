using static ImeiEir.Integration.Tests.TestLists;

namespace ImeiEir.Integration.Tests;

/// <summary>
/// One server per data directory: a second one is refused with one line before it opens anything, the first keeps
/// serving, and the lock goes with its holder, however it ends (SIGKILL included).
/// </summary>
[TestFixture]
public sealed class DataDirectoryLockTests
{
    [Test]
    public void A_second_server_on_a_running_ones_DataDir_is_refused_with_one_line_and_touches_nothing()
    {
        using ServerProcess first = ServerProcess.Start();
        string store = Path.Combine(first.DataDir, "store");
        // The first server checkpoints once its bootstrap is done; wait for that, then for the files to stay still.
        Assert.That(SpinWait.SpinUntil(() => File.Exists(Path.Combine(store, "checkpoint.manifest")), TimeSpan.FromSeconds(30)), Is.True, first.Output);
        Dictionary<string, DateTime> before = StableListing(first.DataDir);

        (string fileName, string[] arguments, Dictionary<string, string> environment) = ServerProcess.CommandOnDataOf(first);
        using ChildProcess second = ChildProcess.Start(fileName, arguments, environment);
        Assert.That(second.WaitForExit(TimeSpan.FromSeconds(60)), Is.True, second.Transcript);

        string diagnostics = $"\n--- second ---\n{second.Transcript}\n--- first ---\n{first.Output}";
        Assert.Multiple(() =>
        {
            Assert.That(second.ExitCode, Is.EqualTo(2), "exit code" + diagnostics);
            Assert.That(second.StderrLines, Has.Count.EqualTo(1), diagnostics);
            Assert.That(second.Stderr, Does.StartWith($"imeieir: configuration error: DataDir: {store} is in use by another imeieir process"), diagnostics);
            Assert.That(second.Transcript, Does.Not.Contain("Unhandled exception"), diagnostics);
            // Nothing written: no checkpoint, no journal, no log by the refused one.
            Dictionary<string, DateTime> after = Listing(first.DataDir);
            string[] changed = after.Where(f => !before.TryGetValue(f.Key, out DateTime t) || t != f.Value).Select(f => f.Key)
                .Concat(before.Keys.Where(k => !after.ContainsKey(k))).ToArray();
            Assert.That(changed, Is.Empty, diagnostics);
        });

        (int exitCode, string stdout, string transcript) = EirctlTests.RunEirctl(["check", White, "--diameter", first.Endpoint]);
        Assert.That(exitCode, Is.Zero, transcript);
        Assert.That(stdout, Does.Contain("WHITELISTED"), transcript);
    }

    [Test]
    public void The_lock_goes_with_a_killed_server_and_the_next_one_starts()
    {
        using ServerProcess first = ServerProcess.Start();
        first.Kill();
        using ServerProcess next = ServerProcess.StartOnDataOf(first);
        (int exitCode, string stdout, string transcript) = EirctlTests.RunEirctl(["check", Black, "--imsi", HomeImsi, "--diameter", next.Endpoint]);
        Assert.That(exitCode, Is.Zero, transcript);
        Assert.That(stdout, Does.Contain("BLACKLISTED"), transcript + "\n--- server ---\n" + next.Output);
    }

    private static Dictionary<string, DateTime> StableListing(string root)
    {
        Dictionary<string, DateTime> last = Listing(root);
        for (int i = 0; i < 50; i++)
        {
            Thread.Sleep(300); // no event says that nothing writes any more: a listing unchanged for 300 ms is the sign
            Dictionary<string, DateTime> now = Listing(root);
            if (now.Count == last.Count && now.All(f => last.TryGetValue(f.Key, out DateTime t) && t == f.Value)) return now;
            last = now;
        }
        Assert.Fail($"the files under {root} kept changing for 15 s");
        return last;
    }

    /// <summary>Every file under <paramref name="root"/> with its last write time (the lock files included).</summary>
    private static Dictionary<string, DateTime> Listing(string root) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.GetLastWriteTimeUtc);
}
