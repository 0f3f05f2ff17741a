using ImeiEir.Core;

namespace ImeiEir.Store.Tests;

public class CheckpointTests
{
    private static StoreOptions OptionsFor(TempDirectory directory, long expected = 200_000) =>
        new() { Directory = directory.Path, ExpectedRecords = expected };

    [Test]
    public async Task Checkpoint_then_recover_in_a_new_store_round_trips_every_record()
    {
        const int count = 100_000;
        using var directory = new TempDirectory();
        Guid token;
        using (var store = new ImeiStore(OptionsFor(directory)))
        {
            Assert.That(store.TryRecover(out string? failure), Is.False);
            Assert.That(failure, Is.Null, "a fresh directory has no checkpoint, which is not a failure");
            using (var session = store.NewSession())
            {
                for (int i = 0; i < count; i++) session.Upsert(TestData.ImeiAt(i), TestData.RecordAt(i));
                for (int i = 0; i < count; i += 10) session.Delete(TestData.ImeiAt(i));
            }
            token = await store.CheckpointAsync();
        }

        using (var recovered = new ImeiStore(OptionsFor(directory)))
        {
            Assert.That(recovered.TryRecover(out string? failure), Is.True, failure);
            Assert.That(recovered.CheckpointToken, Is.EqualTo(token));
            using var session = recovered.NewSession();
            for (int i = 0; i < count; i++)
            {
                bool found = session.TryGet(TestData.ImeiAt(i), out ImeiRecord record);
                if (i % 10 == 0)
                {
                    Assert.That(found, Is.False, $"deleted record {i}");
                }
                else
                {
                    Assert.That(found, Is.True, $"record {i}");
                    Assert.That(record, Is.EqualTo(TestData.RecordAt(i)), $"record {i}");
                }
            }
            Assert.That(recovered.CountRecords(), Is.EqualTo(count - count / 10));
            Assert.That(recovered.Statistics.DiskReads, Is.Zero);
        }
    }

    [Test]
    public async Task Changes_after_a_recovery_survive_the_next_checkpoint_and_old_checkpoints_are_removed()
    {
        using var directory = new TempDirectory();
        Imei first = TestData.ImeiAt(1), second = TestData.ImeiAt(2);
        var white = new ImeiRecord(ListKind.White, Reason.Verified, 0, 1);
        var black = new ImeiRecord(ListKind.Black, Reason.Stolen, 0, 2);

        using (var store = new ImeiStore(OptionsFor(directory, 1000)))
        {
            using (var session = store.NewSession()) session.Upsert(first, white);
            await store.CheckpointAsync();
        }
        Guid last;
        using (var store = new ImeiStore(OptionsFor(directory, 1000)))
        {
            Assert.That(store.TryRecover(), Is.True, store.RecoveryFailure);
            using (var session = store.NewSession())
            {
                session.Upsert(second, black);
                session.Upsert(first, black);
            }
            last = await store.CheckpointAsync();
        }
        using (var store = new ImeiStore(OptionsFor(directory, 1000)))
        {
            Assert.That(store.TryRecover(), Is.True, store.RecoveryFailure);
            using var session = store.NewSession();
            Assert.That(session.TryGet(first, out ImeiRecord a) && a == black);
            Assert.That(session.TryGet(second, out ImeiRecord b) && b == black);
        }

        string[] tokens = Directory.GetDirectories(Path.Combine(directory.Path, "checkpoints"), "*", SearchOption.AllDirectories)
            .Select(Path.GetFileName).Where(name => Guid.TryParse(name, out _)).Distinct().ToArray()!;
        Assert.That(tokens, Is.EqualTo(new[] { last.ToString() }));
    }

    [Test]
    public async Task Sessions_keep_working_while_a_checkpoint_is_taken()
    {
        using var directory = new TempDirectory();
        using var store = new ImeiStore(OptionsFor(directory, 50_000));
        using var session = store.NewSession();
        for (int i = 0; i < 50_000; i++) session.Upsert(TestData.ImeiAt(i), TestData.RecordAt(i));

        Task<Guid> checkpoint = store.CheckpointAsync().AsTask();
        for (int i = 0; i < 50_000; i++)
        {
            session.Upsert(TestData.ImeiAt(i), TestData.RecordAt(i + 1));
            Assert.That(session.TryGet(TestData.ImeiAt(i), out ImeiRecord record) && record == TestData.RecordAt(i + 1));
        }
        await checkpoint;
        Assert.That(store.CountRecords(), Is.EqualTo(50_000));
    }

    [Test]
    public async Task An_idle_session_on_another_thread_does_not_hold_up_a_checkpoint()
    {
        using var directory = new TempDirectory();
        using var store = new ImeiStore(OptionsFor(directory, 1000));
        using var opened = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var owner = new Thread(() =>
        {
            using var session = store.NewSession();
            session.Upsert(TestData.ImeiAt(1), TestData.RecordAt(1));
            opened.Set();
            release.Wait();
        });
        owner.Start();
        opened.Wait();

        Task<Guid> checkpoint = store.CheckpointAsync().AsTask();
        bool completed = await Task.WhenAny(checkpoint, Task.Delay(TimeSpan.FromSeconds(30))) == checkpoint;
        release.Set();
        owner.Join();

        Assert.That(completed, "checkpoint completed while another thread's session sat idle");
    }

    [TestCase("snapshot.dat")]
    [TestCase("ht.dat")]
    [TestCase("info.dat")]
    public async Task A_damaged_checkpoint_file_is_refused_with_a_reason(string damagedName)
    {
        using var directory = new TempDirectory();
        await WriteCheckpoint(directory, 10_000);
        string[] damaged = CheckpointFiles(directory).Where(f => Path.GetFileName(f).StartsWith(damagedName, StringComparison.Ordinal)).ToArray();
        Assume.That(damaged, Is.Not.Empty);
        foreach (string file in damaged) FlipBytes(file);

        AssertRecoveryFailsCleanly(directory, "damaged");
    }

    [Test]
    public async Task Every_checkpoint_file_overwritten_with_garbage_is_refused_with_a_reason()
    {
        using var directory = new TempDirectory();
        await WriteCheckpoint(directory, 10_000);
        var random = new Random(7);
        foreach (string file in CheckpointFiles(directory))
        {
            byte[] garbage = new byte[new FileInfo(file).Length];
            random.NextBytes(garbage);
            File.WriteAllBytes(file, garbage);
        }

        AssertRecoveryFailsCleanly(directory, "damaged");
    }

    [Test]
    public async Task A_missing_or_truncated_checkpoint_file_is_refused_with_a_reason()
    {
        using var directory = new TempDirectory();
        await WriteCheckpoint(directory, 1000);
        string snapshot = CheckpointFiles(directory).First(f => Path.GetFileName(f).StartsWith("snapshot", StringComparison.Ordinal));
        File.Delete(snapshot);
        AssertRecoveryFailsCleanly(directory, "missing");

        using var other = new TempDirectory();
        await WriteCheckpoint(other, 1000);
        string info = CheckpointFiles(other).First(f => Path.GetFileName(f).StartsWith("info", StringComparison.Ordinal));
        using (var stream = new FileStream(info, FileMode.Open)) stream.SetLength(stream.Length / 2);
        AssertRecoveryFailsCleanly(other, "bytes");
    }

    [Test]
    public async Task A_damaged_manifest_or_checkpoint_files_without_one_are_refused_with_a_reason()
    {
        using var directory = new TempDirectory();
        await WriteCheckpoint(directory, 1000);
        string manifest = Path.Combine(directory.Path, "checkpoint.manifest");
        File.WriteAllText(manifest, "not a manifest\n");
        AssertRecoveryFailsCleanly(directory, "manifest");

        File.Delete(manifest);
        AssertRecoveryFailsCleanly(directory, "did not complete");
    }

    [Test]
    public async Task After_a_refused_checkpoint_the_store_works_and_the_next_checkpoint_recovers()
    {
        using var directory = new TempDirectory();
        await WriteCheckpoint(directory, 1000);
        foreach (string file in CheckpointFiles(directory)) FlipBytes(file);

        using (var store = new ImeiStore(OptionsFor(directory, 1000)))
        {
            Assert.That(store.TryRecover(), Is.False);
            using (var session = store.NewSession()) session.Upsert(TestData.ImeiAt(5), TestData.RecordAt(5));
            await store.CheckpointAsync();
        }
        using (var store = new ImeiStore(OptionsFor(directory, 1000)))
        {
            Assert.That(store.TryRecover(), Is.True, store.RecoveryFailure);
            Assert.That(store.Scan().Select(r => r.Imei), Is.EqualTo(new[] { TestData.ImeiAt(5) }));
        }
    }

    [Test]
    public async Task The_manifest_names_every_file_with_its_XXH128()
    {
        using var directory = new TempDirectory();
        await WriteCheckpoint(directory, 1000);
        string[] lines = File.ReadAllLines(Path.Combine(directory.Path, "checkpoint.manifest"));
        Assert.That(lines[0], Is.EqualTo("imeieir-store-checkpoint 2"));
        string[] fileLines = lines.Where(l => l.StartsWith("file ", StringComparison.Ordinal)).ToArray();
        Assert.That(fileLines, Has.Length.EqualTo(CheckpointFiles(directory).Length));
        foreach (string line in fileLines)
        {
            string[] parts = line.Split(' ', 4);
            string path = Path.Combine(directory.Path, "checkpoints", parts[3]);
            // An independent computation of the same hash: the whole file at once, not the manifest's chunked reads.
            Assert.That(parts[1], Is.EqualTo(Convert.ToHexStringLower(System.IO.Hashing.XxHash128.Hash(File.ReadAllBytes(path)))), parts[3]);
        }
    }

    [Test]
    public async Task A_version_1_manifest_with_SHA256_written_by_an_earlier_build_still_recovers()
    {
        using var directory = new TempDirectory();
        await WriteCheckpoint(directory, 1000);
        RewriteAsVersion1(directory, damageFirstHash: false);

        using var store = new ImeiStore(OptionsFor(directory, 1000));
        Assert.That(store.TryRecover(out string? failure), Is.True, failure);
        using var session = store.NewSession();
        Assert.That(session.TryGet(TestData.ImeiAt(999), out ImeiRecord record) && record == TestData.RecordAt(999));
    }

    [Test]
    public async Task A_version_1_manifest_whose_SHA256_differs_is_refused()
    {
        using var directory = new TempDirectory();
        await WriteCheckpoint(directory, 1000);
        RewriteAsVersion1(directory, damageFirstHash: true);
        AssertRecoveryFailsCleanly(directory, "does not match its SHA-256");
    }

    /// <summary>The manifest as builds before XXH128 wrote it: version 1, each file's SHA-256.</summary>
    private static void RewriteAsVersion1(TempDirectory directory, bool damageFirstHash)
    {
        string manifest = Path.Combine(directory.Path, "checkpoint.manifest");
        var lines = new List<string>();
        bool damaged = false;
        foreach (string line in File.ReadAllLines(manifest))
        {
            if (line == "imeieir-store-checkpoint 2") { lines.Add("imeieir-store-checkpoint 1"); continue; }
            if (!line.StartsWith("file ", StringComparison.Ordinal)) { lines.Add(line); continue; }
            string[] parts = line.Split(' ', 4);
            byte[] sha = System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(directory.Path, "checkpoints", parts[3])));
            if (damageFirstHash && !damaged) { sha[0] ^= 1; damaged = true; }
            lines.Add($"file {Convert.ToHexStringLower(sha)} {parts[2]} {parts[3]}");
        }
        File.WriteAllLines(manifest, lines);
    }

    [Test]
    public void TryRecover_after_a_session_was_opened_is_a_programming_error()
    {
        using var directory = new TempDirectory();
        using var store = new ImeiStore(OptionsFor(directory, 100));
        using var session = store.NewSession();

        Assert.That(() => store.TryRecover(), Throws.InvalidOperationException);
    }

    private static async Task WriteCheckpoint(TempDirectory directory, int count)
    {
        using var store = new ImeiStore(OptionsFor(directory, count));
        using (var session = store.NewSession())
        {
            for (int i = 0; i < count; i++) session.Upsert(TestData.ImeiAt(i), TestData.RecordAt(i));
        }
        await store.CheckpointAsync();
    }

    private static string[] CheckpointFiles(TempDirectory directory) =>
        Directory.GetFiles(Path.Combine(directory.Path, "checkpoints"), "*", SearchOption.AllDirectories);

    private static void FlipBytes(string file)
    {
        byte[] bytes = File.ReadAllBytes(file);
        for (int i = 0; i < bytes.Length; i += 97) bytes[i] ^= 0x5A;
        File.WriteAllBytes(file, bytes);
    }

    private static void AssertRecoveryFailsCleanly(TempDirectory directory, string reasonContains)
    {
        using var store = new ImeiStore(OptionsFor(directory, 10_000));
        bool recovered = store.TryRecover(out string? failure);
        TestContext.Out.WriteLine(failure);

        Assert.That(recovered, Is.False);
        Assert.That(failure, Does.Contain(reasonContains));
        Assert.That(store.RecoveryFailure, Is.EqualTo(failure));
        using var session = store.NewSession();
        Assert.That(session.TryGet(TestData.ImeiAt(1), out _), Is.False, "the store starts empty");
        session.Upsert(TestData.ImeiAt(1), TestData.RecordAt(1));
        Assert.That(session.TryGet(TestData.ImeiAt(1), out ImeiRecord record) && record == TestData.RecordAt(1));
    }
}
