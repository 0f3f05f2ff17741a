using ImeiEir.Core;

namespace ImeiEir.Registry.Tests;

/// <summary>
/// What a crash leaves: the log up to its last commit, the view at its last checkpoint (or none, or damaged).
/// <see cref="RegistryService.DisposeWithoutCheckpoint"/> closes as kill -9 would leave the files (the process-level
/// kill test is the Server's).
/// </summary>
public class RecoveryTests
{
    private static string Batch(int from, int count, string list = "white", string reason = "verified") =>
        "imei,list,reason\n" + string.Concat(Enumerable.Range(from, count).Select(i => $"{TestData.Text(i)},{list},{reason}\n"));

    private static void AssertState(RegistryService registry, int from, int count, ListKind list)
    {
        for (int i = from; i < from + count; i++)
        {
            Assert.That(registry.TryGet(TestData.Imei(i), out ImeiRecord record), Is.True, $"IMEI {i}");
            Assert.That(record.List, Is.EqualTo(list), $"IMEI {i}");
        }
    }

    [Test]
    public async Task Reopen_without_any_checkpoint_rebuilds_the_view_from_the_log()
    {
        using var dir = new TempDirectory();
        RegistryService registry = await TestData.OpenAsync(dir.Path);
        await TestData.PushCsvAsync(registry, Batch(0, 100));
        await TestData.PushCsvAsync(registry, Batch(50, 100, "black", "stolen"));
        registry.DisposeWithoutCheckpoint();
        Assert.That(Directory.Exists(Path.Combine(dir.Path, "view", "checkpoints")) &&
                    Directory.EnumerateFiles(Path.Combine(dir.Path, "view", "checkpoints"), "*", SearchOption.AllDirectories).Any(), Is.False,
            "no checkpoint was ever taken");

        await using RegistryService reopened = await TestData.OpenAsync(dir.Path);
        Assert.That((reopened.LastSequence, reopened.RecoveredViewSequence, reopened.ReplayedAtOpen), Is.EqualTo((200UL, 0UL, 200UL)));
        AssertState(reopened, 0, 50, ListKind.White);
        AssertState(reopened, 50, 100, ListKind.Black);
    }

    [Test]
    public async Task Reopen_replays_only_the_log_after_the_checkpoint()
    {
        using var dir = new TempDirectory();
        RegistryService registry = await TestData.OpenAsync(dir.Path);
        await TestData.PushCsvAsync(registry, Batch(0, 100));
        await registry.CheckpointAsync(CancellationToken.None);
        await TestData.PushCsvAsync(registry, Batch(100, 30));
        registry.DisposeWithoutCheckpoint();

        await using RegistryService reopened = await TestData.OpenAsync(dir.Path);
        Assert.That((reopened.RecoveredViewSequence, reopened.ReplayedAtOpen), Is.EqualTo((100UL, 30UL)));
        AssertState(reopened, 0, 130, ListKind.White);
    }

    [Test]
    public async Task A_damaged_view_checkpoint_is_rebuilt_from_the_log()
    {
        using var dir = new TempDirectory();
        RegistryService registry = await TestData.OpenAsync(dir.Path);
        await TestData.PushCsvAsync(registry, Batch(0, 100));
        await registry.CheckpointAsync(CancellationToken.None);
        await TestData.PushCsvAsync(registry, Batch(0, 20, "black", "stolen"));
        registry.DisposeWithoutCheckpoint();

        // Flip bytes in the largest checkpoint file: its SHA-256 no longer matches the manifest.
        string largest = Directory.EnumerateFiles(Path.Combine(dir.Path, "view", "checkpoints"), "*", SearchOption.AllDirectories)
            .OrderByDescending(f => new FileInfo(f).Length).First();
        byte[] bytes = File.ReadAllBytes(largest);
        for (int i = 0; i < bytes.Length; i += 97) bytes[i] ^= 0x5A;
        File.WriteAllBytes(largest, bytes);

        await using RegistryService reopened = await TestData.OpenAsync(dir.Path);
        Assert.That((reopened.LastSequence, reopened.RecoveredViewSequence, reopened.ReplayedAtOpen), Is.EqualTo((120UL, 0UL, 120UL)));
        AssertState(reopened, 0, 20, ListKind.Black);
        AssertState(reopened, 20, 80, ListKind.White);
    }

    [Test]
    public async Task A_missing_view_directory_is_rebuilt_from_the_log()
    {
        using var dir = new TempDirectory();
        await using (RegistryService registry = await TestData.OpenAsync(dir.Path))
            await TestData.PushCsvAsync(registry, Batch(0, 10));
        Directory.Delete(Path.Combine(dir.Path, "view"), recursive: true);

        await using RegistryService reopened = await TestData.OpenAsync(dir.Path);
        Assert.That(reopened.ReplayedAtOpen, Is.EqualTo(10UL));
        AssertState(reopened, 0, 10, ListKind.White);
    }

    [Test]
    public async Task An_uncommitted_tail_is_not_visible_after_reopen()
    {
        using var dir = new TempDirectory();
        RegistryService registry = await TestData.OpenAsync(dir.Path);
        await TestData.PushCsvAsync(registry, Batch(0, 10));
        // Changes 11..40010 (2.4 MB, past two 1 MiB log pages) reach the log's memory (and, past a page, the disk) but are never committed: as when the
        // process dies between appending a batch and its commit.
        registry.AppendUncommittedForTest(Enumerable.Range(0, 40_000).Select(i => new Change
        {
            Sequence = 11 + (ulong)i, ImeiKey = TestData.Imei(1000 + i).Key, Op = ChangeOp.Set, List = ListKind.Black,
            Reason = Reason.Stolen, Origin = ChangeOrigin.Admin,
        }));
        registry.DisposeWithoutCheckpoint();

        await using RegistryService reopened = await TestData.OpenAsync(dir.Path);
        Assert.That(reopened.LastSequence, Is.EqualTo(10UL));
        Assert.That(reopened.TryGet(TestData.Imei(1000), out _), Is.False);
        Assert.That(await TestData.ReadAllAsync(reopened), Has.Count.EqualTo(10));

        // The next batch takes number 11 and overwrites the dead tail.
        DeltaReport report = await TestData.PushCsvAsync(reopened, Batch(2000, 3));
        Assert.That(report.FirstSequence, Is.EqualTo(11UL));
        List<Change> all = await TestData.ReadAllAsync(reopened);
        Assert.That(all.Select(c => c.Sequence), Is.EqualTo(Enumerable.Range(1, 13).Select(i => (ulong)i)));
        Assert.That(all[^1].ImeiKey, Is.EqualTo(TestData.Imei(2002).Key));
    }

    [Test]
    public async Task Tokens_are_generated_once_with_mode_0600_and_reused()
    {
        using var dir = new TempDirectory();
        RegistryOptions options = TestData.Options(o => { o.AdminToken = null; o.ReaderToken = null; });
        string admin, reader;
        await using (RegistryService registry = await TestData.OpenAsync(dir.Path, options))
        {
            admin = registry.AdminToken;
            reader = registry.ReaderToken;
        }
        Assert.That(admin, Has.Length.EqualTo(43));
        Assert.That(reader, Is.Not.EqualTo(admin));
        string path = Path.Combine(dir.Path, "admin.token");
        if (!OperatingSystem.IsWindows())
            Assert.That(File.GetUnixFileMode(path), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        await using RegistryService again = await TestData.OpenAsync(dir.Path, options);
        Assert.That((again.AdminToken, again.ReaderToken), Is.EqualTo((admin, reader)));
    }
}
