using System.Diagnostics;
using ImeiEir.Core;
using ImeiEir.Store;
using Microsoft.Extensions.Logging.Abstractions;

namespace ImeiEir.Registry.Tests;

/// <summary>Online backup under pushes, and restore into a new directory: the same state, history and sequence, a new generation.</summary>
public class BackupTests
{
    private static string Batch(int round, int lines) =>
        "imei,list,reason\n" + string.Concat(Enumerable.Range(0, lines).Select(i =>
        {
            int serial = (round * 211 + i) % 3000; // rounds overlap: many IMEIs have a history of several changes
            return (round + serial) % 2 == 0 ? $"{TestData.Text(serial)},black,stolen\n" : $"{TestData.Text(serial)},white,verified\n";
        }));

    /// <summary>The digest of the state changes 1..<paramref name="sequence"/> make: replayed into a store of its own.</summary>
    private static StateDigest DigestAt(IEnumerable<Change> changes, ulong sequence)
    {
        using var store = new ImeiStore(new StoreOptions { ExpectedRecords = 1 << 14 });
        using (ImeiStoreSession session = store.NewSession())
        {
            foreach (Change change in changes.Where(c => c.Sequence <= sequence)) ChangeApplier.Apply(session, change);
        }
        return StateDigest.Compute(store.Scan());
    }

    private static async Task<List<Change>> HistoryAsync(RegistryService registry, int serial)
    {
        var history = new List<Change>();
        await foreach (Change change in registry.GetHistoryAsync(TestData.Imei(serial), CancellationToken.None)) history.Add(change);
        return history;
    }

    [Test, CancelAfter(120_000)]
    public async Task A_backup_taken_while_pushes_go_on_restores_the_state_history_and_sequence_it_holds_with_a_new_generation()
    {
        using var dir = new TempDirectory();
        using var restoredDir = new TempDirectory();
        string file = Path.Combine(dir.Path, "registry.backup");
        await using RegistryService registry = await TestData.OpenAsync(Path.Combine(dir.Path, "registry"));
        for (int round = 0; round < 20; round++) await TestData.PushCsvAsync(registry, Batch(round, 500));

        // Pushes go on during the backup: bounded in count and in time.
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        int pushed = 0;
        Task pushes = Task.Run(async () =>
        {
            for (int round = 20; round < 400 && !stop.IsCancellationRequested; round++)
            {
                DeltaReport report = await TestData.PushCsvAsync(registry, Batch(round, 200));
                Assert.That(report.Accepted, Is.True);
                pushed++;
            }
        });
        while (Volatile.Read(ref pushed) < 3 && !pushes.IsCompleted) await Task.Delay(10);
        ulong sequence;
        await using (var output = new FileStream(file, FileMode.Create))
            sequence = await registry.WriteBackupAsync(output, null, CancellationToken.None);
        while (Volatile.Read(ref pushed) < 10 && !pushes.IsCompleted) await Task.Delay(10);
        await stop.CancelAsync();
        await pushes;
        Assert.That(registry.LastSequence, Is.GreaterThan(sequence), "pushes went on past the backup");

        await RegistryRestore.RestoreAsync(file, TestData.Options(), restoredDir.Path, NullLogger.Instance, CancellationToken.None);
        await using RegistryService restored = await TestData.OpenAsync(restoredDir.Path);

        List<Change> all = await TestData.ReadAllAsync(registry);
        var sample = Enumerable.Range(0, 3000).Where(i => i % 97 == 0).ToList();
        Assert.Multiple(async () =>
        {
            Assert.That(BackupFormat.TryReadHeader(File.ReadAllBytes(file).AsSpan(0, BackupFormat.HeaderSize), out BackupFormat.Header header), Is.True);
            Assert.That(new FileInfo(file).Length, Is.EqualTo(BackupFormat.Length(sequence, header.AttributionBytes)));
            Assert.That(restored.LastSequence, Is.EqualTo(sequence));
            Assert.That(restored.GetStatus().Digest, Is.EqualTo(DigestAt(all, sequence)));
            Assert.That(restored.Generation, Is.Not.EqualTo(registry.Generation));
            Assert.That(restored.Generation.IsNone, Is.False);
            foreach (int serial in sample)
            {
                List<Change> expected = (await HistoryAsync(registry, serial)).Where(c => c.Sequence <= sequence).ToList();
                Assert.That(await HistoryAsync(restored, serial), Is.EqualTo(expected), $"history of IMEI {serial}");
            }
        });
    }

    [Test]
    public async Task A_version_2_backup_without_sections_still_restores_and_a_version_3_one_carries_its_sections()
    {
        using var dir = new TempDirectory();
        await using RegistryService registry = await TestData.OpenAsync(Path.Combine(dir.Path, "registry"));
        await TestData.PushCsvAsync(registry, Batch(0, 50));
        var tac = new BackupSection("tac", "1-0123456789abcdef\ntac,manufacturer,model,device_type\n"u8.ToArray());
        var output = new MemoryStream();
        ulong sequence = await registry.WriteBackupAsync(output, null, () => [tac], CancellationToken.None);
        byte[] version3 = output.ToArray();
        Assert.That(BackupFormat.TryReadHeader(version3, out BackupFormat.Header header), Is.True);
        Assert.That((header.Version, header.Length), Is.EqualTo((3, (long)version3.Length)));

        // Version 2: the 52-byte header (no section count), the changes, the attributions and the trailer.
        byte[] version2 = [.. version3.AsSpan(0, BackupFormat.Version2HeaderSize),
            .. version3.AsSpan(BackupFormat.HeaderSize, (int)(header.SectionsOffset - BackupFormat.HeaderSize)),
            .. version3.AsSpan(version3.Length - BackupFormat.TrailerSize)];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(version2.AsSpan(8), 2);
        string file2 = Path.Combine(dir.Path, "v2.backup"), file3 = Path.Combine(dir.Path, "v3.backup");
        File.WriteAllBytes(file2, version2);
        File.WriteAllBytes(file3, version3);

        Assert.Multiple(async () =>
        {
            Assert.That(BackupFormat.ReadSections(file3), Is.EqualTo(new[] { tac }).Using<BackupSection>((a, b) => a.Name == b.Name && a.Content.SequenceEqual(b.Content)));
            Assert.That(BackupFormat.ReadSections(file2), Is.Empty);
            foreach (string file in new[] { file2, file3 })
            {
                string target = Path.Combine(dir.Path, Path.GetFileNameWithoutExtension(file));
                Assert.That(await RegistryRestore.RestoreAsync(file, TestData.Options(), target, NullLogger.Instance, CancellationToken.None), Is.EqualTo(sequence), file);
                await using RegistryService restored = await TestData.OpenAsync(target);
                Assert.That(restored.GetStatus().Digest, Is.EqualTo(registry.GetStatus().Digest), file);
            }
        });
    }

    [Test]
    public async Task A_restore_into_a_directory_that_holds_a_registry_is_refused_in_one_line_naming_the_key()
    {
        using var dir = new TempDirectory();
        string file = Path.Combine(dir.Path, "registry.backup");
        await using RegistryService registry = await TestData.OpenAsync(Path.Combine(dir.Path, "registry"));
        await TestData.PushCsvAsync(registry, Batch(0, 10));
        await using (var output = new FileStream(file, FileMode.Create))
            await registry.WriteBackupAsync(output, null, CancellationToken.None);

        var e = Assert.ThrowsAsync<InvalidOperationException>(() =>
            RegistryRestore.RestoreAsync(file, TestData.Options(), Path.Combine(dir.Path, "registry"), NullLogger.Instance, CancellationToken.None));
        Assert.That(e!.Message, Does.StartWith("Registry:RestoreFrom: ").And.Not.Contain("\n"));
    }

    [Test]
    public async Task A_cut_backup_is_refused_and_leaves_nothing_that_opens_as_a_registry()
    {
        using var dir = new TempDirectory();
        using var restoredDir = new TempDirectory();
        string file = Path.Combine(dir.Path, "registry.backup");
        await using (RegistryService registry = await TestData.OpenAsync(Path.Combine(dir.Path, "registry")))
        {
            await TestData.PushCsvAsync(registry, Batch(0, 100));
            await using var output = new FileStream(file, FileMode.Create);
            await registry.WriteBackupAsync(output, null, CancellationToken.None);
        }
        using (var cut = new FileStream(file, FileMode.Open)) cut.SetLength(cut.Length - 30);

        var e = Assert.ThrowsAsync<InvalidDataException>(() =>
            RegistryRestore.RestoreAsync(file, TestData.Options(), restoredDir.Path, NullLogger.Instance, CancellationToken.None));
        Assert.That(e!.Message, Does.Contain("cut or damaged"));
        var open = Assert.ThrowsAsync<InvalidDataException>(() => TestData.OpenAsync(restoredDir.Path));
        Assert.That(open!.Message, Does.Contain("restore that did not finish"));
    }
}
