using ImeiEir.Core;
using ImeiEir.Store;
using Microsoft.Extensions.Time.Testing;

namespace ImeiEir.Registry.Tests;

/// <summary>
/// Bounded growth (issue 21 §4): a start reads the persisted sequence index and only the log after the view's
/// checkpoint; retention truncates the log before the longer of the feed and history windows, never past the
/// checkpoint; history stops cleanly at the log's first retained change.
/// </summary>
public class RetentionTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 5, 10, 0, 0, TimeSpan.Zero);

    private static string Batch(int from, int count, string list = "white", string reason = "verified") =>
        "imei,list,reason\n" + string.Concat(Enumerable.Range(from, count).Select(i => $"{TestData.Text(i)},{list},{reason}\n"));

    private static RegistryOptions Retaining(string history, TimeSpan feed) => TestData.Options(o =>
    {
        o.HistoryRetention = history;
        o.FeedRetention = feed;
        o.CheckpointInterval = TimeSpan.FromDays(40); // checkpoints only when a test asks
    });

    private static async Task<List<Change>> HistoryAsync(RegistryService registry, int serial)
    {
        var history = new List<Change>();
        await foreach (Change change in registry.GetHistoryAsync(TestData.Imei(serial), CancellationToken.None)) history.Add(change);
        return history;
    }

    private static ListKind ListOf(RegistryService registry, int serial) =>
        registry.TryGet(TestData.Imei(serial), out ImeiRecord record) ? record.List : ListKind.None;

    /// <summary>
    /// Changes 1..4 two days old (IMEIs 0..3 white), then 5 (IMEI 0 black) and 6 (IMEI 4 white) now; checkpointed at 6
    /// with a one-day history window: the log keeps 5..6.
    /// </summary>
    private static async Task<RegistryService> TruncatedAsync(string directory, FakeTimeProvider time)
    {
        RegistryService registry = await TestData.OpenAsync(directory, Retaining("1.00:00:00", TimeSpan.FromHours(1)), time);
        await TestData.PushCsvAsync(registry, Batch(0, 4));
        time.Advance(TimeSpan.FromDays(2));
        await TestData.PushCsvAsync(registry, Batch(0, 1, "black", "stolen") + $"{TestData.Text(4)},white,verified\n");
        await registry.CheckpointAsync(CancellationToken.None);
        return registry;
    }

    [Test]
    public async Task A_restart_reads_only_the_log_after_the_checkpoint()
    {
        using var dir = new TempDirectory();
        RegistryService registry = await TestData.OpenAsync(dir.Path, TestData.Options(o => o.ExpectedRecords = 1 << 16));
        // 20,000 changes: more than one 1 MiB log page (about 17,000 entries), so the index crosses a page end.
        for (int i = 0; i < 10; i++) await TestData.PushCsvAsync(registry, Batch(i * 2000, 2000));
        await registry.CheckpointAsync(CancellationToken.None);
        await TestData.PushCsvAsync(registry, Batch(0, 30, "black", "stolen"));
        registry.DisposeWithoutCheckpoint();

        await using RegistryService reopened = await TestData.OpenAsync(dir.Path, TestData.Options(o => o.ExpectedRecords = 1 << 16));
        // The checkpoint's own change, read again to prove the index file and the log agree, then the 30 after it;
        // without the index file every one of the 20,030 changes is read.
        Assert.That((reopened.LastSequence, reopened.RecoveredViewSequence, reopened.ReplayedAtOpen, reopened.ScannedAtOpen),
            Is.EqualTo((20_030UL, 20_000UL, 30UL, 31UL)));
        Assert.That(ListOf(reopened, 29), Is.EqualTo(ListKind.Black));
        Assert.That(ListOf(reopened, 19_999), Is.EqualTo(ListKind.White));
        // The loaded index finds every change, on both sides of the page end: history reads each by its address.
        Assert.That((await HistoryAsync(reopened, 0)).Select(c => c.Sequence), Is.EqualTo(new ulong[] { 1, 20_001 }));
        for (int serial = 17_000; serial < 18_000; serial++)
            Assert.That((await HistoryAsync(reopened, serial)).Select(c => c.Sequence), Is.EqualTo(new[] { (ulong)serial + 1 }), $"IMEI {serial}");
        Assert.That((await TestData.ReadAllAsync(reopened, 19_995)).Select(c => c.Sequence), Is.EqualTo(Enumerable.Range(19_996, 35).Select(i => (ulong)i)));
    }

    [Test]
    public async Task A_damaged_sequence_index_file_falls_back_to_the_full_scan()
    {
        using var dir = new TempDirectory();
        RegistryService registry = await TestData.OpenAsync(dir.Path);
        for (int i = 0; i < 3; i++) await TestData.PushCsvAsync(registry, Batch(i * 100, 100));
        await registry.CheckpointAsync(CancellationToken.None);
        await TestData.PushCsvAsync(registry, Batch(0, 10, "black", "stolen"));
        registry.DisposeWithoutCheckpoint();

        string index = Path.Combine(dir.Path, "log", SequenceIndexFile.FileName);
        Assert.That(File.Exists(index), "the checkpoint saved the index");
        byte[] bytes = File.ReadAllBytes(index);
        bytes[100] ^= 0x40; // one offset: without the CRC the index would send reads to the wrong address
        File.WriteAllBytes(index, bytes);

        await using (RegistryService reopened = await TestData.OpenAsync(dir.Path))
        {
            Assert.That((reopened.LastSequence, reopened.ReplayedAtOpen, reopened.ScannedAtOpen), Is.EqualTo((310UL, 10UL, 310UL)));
            Assert.That(ListOf(reopened, 9), Is.EqualTo(ListKind.Black));
            Assert.That((await HistoryAsync(reopened, 1)).Select(c => c.Sequence), Is.EqualTo(new ulong[] { 2, 302 }));
            Assert.That((await TestData.ReadAllAsync(reopened, 0)).Select(c => c.Sequence), Is.EqualTo(Enumerable.Range(1, 310).Select(i => (ulong)i)));
        }

        // The fallback saved a good index: the next start reads only the checkpoint's change again.
        await using RegistryService again = await TestData.OpenAsync(dir.Path);
        Assert.That(again.ScannedAtOpen, Is.EqualTo(1UL));
    }

    [Test]
    public async Task An_index_file_that_does_not_match_the_log_falls_back_to_the_full_scan()
    {
        using var dir = new TempDirectory();
        using var other = new TempDirectory();
        // A whole, CRC-valid index of another, longer log.
        await using (RegistryService longer = await TestData.OpenAsync(other.Path))
        {
            await TestData.PushCsvAsync(longer, Batch(0, 5));
            for (int i = 0; i < 5; i++) await TestData.PushCsvAsync(longer, Batch(1000 + i * 50, 50));
        }
        RegistryService registry = await TestData.OpenAsync(dir.Path);
        for (int i = 0; i < 5; i++) await TestData.PushCsvAsync(registry, Batch(i * 50, 50));
        registry.DisposeWithoutCheckpoint();
        File.Copy(Path.Combine(other.Path, "log", SequenceIndexFile.FileName), Path.Combine(dir.Path, "log", SequenceIndexFile.FileName));

        await using RegistryService reopened = await TestData.OpenAsync(dir.Path);
        Assert.That((reopened.LastSequence, reopened.ScannedAtOpen), Is.EqualTo((250UL, 250UL)));
        Assert.That((await TestData.ReadAllAsync(reopened, 0)).Select(c => c.ImeiKey), Is.EqualTo(Enumerable.Range(0, 250).Select(i => TestData.Imei(i).Key)));
    }

    [Test]
    public async Task History_beyond_the_retention_is_cut_at_the_log_s_first_retained_change()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(Start);
        await using RegistryService registry = await TruncatedAsync(dir.Path, time);

        Assert.That(registry.FirstRetainedSequence, Is.EqualTo(5UL));
        // IMEI 0: white (change 1, dropped) then black (5): the history shows what is kept, no error.
        Assert.That((await HistoryAsync(registry, 0)).Select(c => (c.Sequence, c.List)), Is.EqualTo(new[] { (5UL, ListKind.Black) }));
        Assert.That(await HistoryAsync(registry, 1), Is.Empty, "its only change is older than the window");
        Assert.That(ListOf(registry, 1), Is.EqualTo(ListKind.White), "the view keeps the record");
        Assert.That(registry.GetAttribution((await HistoryAsync(registry, 4))[0]).Actor, Is.EqualTo("admin"));
    }

    [Test]
    public async Task Truncation_never_passes_the_view_s_checkpoint()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(Start);
        await using RegistryService registry = await TestData.OpenAsync(dir.Path, Retaining("00:01:00", TimeSpan.FromMinutes(1)), time);
        await TestData.PushCsvAsync(registry, Batch(0, 10));
        await registry.CheckpointAsync(CancellationToken.None);
        await TestData.PushCsvAsync(registry, Batch(10, 10));
        time.Advance(TimeSpan.FromDays(1));
        await registry.CheckpointAsync(CancellationToken.None);
        // Every change is older than both windows, but the log keeps the checkpoint's last change.
        Assert.That(registry.FirstRetainedSequence, Is.EqualTo(20UL));
        // The feed serves what follows the checkpoint: a node at change 20 follows on, one before it bootstraps.
        Assert.That(registry.FeedFirstSequence, Is.EqualTo(21UL));
        Assert.That(registry.ScanView().Count(), Is.EqualTo(20));
    }

    [Test]
    public async Task The_registry_restarts_after_truncation_with_its_records_and_its_retained_history()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(Start);
        RegistryService registry = await TruncatedAsync(dir.Path, time);
        await TestData.PushCsvAsync(registry, Batch(1, 1, "black", "stolen")); // change 7, after the checkpoint
        RegistryGeneration generation = registry.Generation;
        StateDigest digest = registry.GetStatus().Digest;
        registry.DisposeWithoutCheckpoint();

        await using (RegistryService reopened = await TestData.OpenAsync(dir.Path, Retaining("1.00:00:00", TimeSpan.FromHours(1)), time))
        {
            Assert.That((reopened.LastSequence, reopened.FirstRetainedSequence, reopened.ReplayedAtOpen), Is.EqualTo((7UL, 5UL, 1UL)));
            Assert.That((reopened.Generation, reopened.GetStatus().Digest), Is.EqualTo((generation, digest)), "same history, same state");
            Assert.That(new[] { ListOf(reopened, 0), ListOf(reopened, 1), ListOf(reopened, 2), ListOf(reopened, 4) },
                Is.EqualTo(new[] { ListKind.Black, ListKind.Black, ListKind.White, ListKind.White }));
            Assert.That((await HistoryAsync(reopened, 1)).Select(c => c.Sequence), Is.EqualTo(new ulong[] { 7 }));
            Assert.That((await TestData.ReadAllAsync(reopened, 4)).Select(c => c.Sequence), Is.EqualTo(new ulong[] { 5, 6, 7 }));
        }

        // Without the index file the whole (truncated) log is scanned: it begins at change 5, not 1.
        File.Delete(Path.Combine(dir.Path, "log", SequenceIndexFile.FileName));
        await using RegistryService rescanned = await TestData.OpenAsync(dir.Path, Retaining("1.00:00:00", TimeSpan.FromHours(1)), time);
        Assert.That((rescanned.LastSequence, rescanned.FirstRetainedSequence, rescanned.ScannedAtOpen), Is.EqualTo((7UL, 5UL, 3UL)));
        Assert.That(ListOf(rescanned, 3), Is.EqualTo(ListKind.White));
    }

    [Test]
    public async Task A_view_that_cannot_be_rebuilt_from_a_truncated_log_stops_the_start_with_one_clear_line()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(Start);
        (await TruncatedAsync(dir.Path, time)).DisposeWithoutCheckpoint();
        Directory.Delete(Path.Combine(dir.Path, "view"), recursive: true);

        InvalidDataException? e = Assert.ThrowsAsync<InvalidDataException>(() => TestData.OpenAsync(dir.Path, Retaining("1.00:00:00", TimeSpan.FromHours(1)), time));
        Assert.That(e!.Message, Does.Contain("begins at change 5").And.Contain("restore").And.Not.Contain("\n"));
    }

    [Test]
    public async Task A_backup_of_a_truncated_log_restores_its_records_retained_history_and_sequence()
    {
        using var dir = new TempDirectory();
        using var restoredDir = new TempDirectory();
        var time = new FakeTimeProvider(Start);
        string file = Path.Combine(dir.Path, "registry.backup");
        await using RegistryService registry = await TestData.OpenAsync(Path.Combine(dir.Path, "registry"), Retaining("1.00:00:00", TimeSpan.FromHours(1)), time);
        await TestData.PushCsvAsync(registry, Batch(0, 4));                               // changes 1..4
        await TestData.PushCsvAsync(registry, $"op,imei\nremove,{TestData.Text(3)}\n");  // 5: a tombstone
        time.Advance(TimeSpan.FromDays(2));
        await TestData.PushCsvAsync(registry, Batch(0, 1, "black", "stolen") + $"{TestData.Text(4)},white,verified\n"); // 6, 7
        await registry.CheckpointAsync(CancellationToken.None);
        Assert.That(registry.FirstRetainedSequence, Is.EqualTo(6UL));
        await TestData.PushCsvAsync(registry, Batch(1, 1, "black", "stolen"));           // 8
        ulong sequence;
        await using (var output = new FileStream(file, FileMode.Create))
            sequence = await registry.WriteBackupAsync(output, null, CancellationToken.None);
        Assert.That(sequence, Is.EqualTo(8UL));
        Assert.That(BackupFormat.TryReadHeader(File.ReadAllBytes(file).AsSpan(0, BackupFormat.MaxHeaderSize), out BackupFormat.Header header), Is.True);
        // IMEI 2 (change 3) and IMEI 3's tombstone (change 5) were last set before the log's first change: the base.
        Assert.That((header.Version, header.FirstChange, header.BaseRecords, new FileInfo(file).Length == header.Length), Is.EqualTo((3, 6UL, 2UL, true)));
        Assert.That(Directory.EnumerateFiles(Path.Combine(dir.Path, "registry"), "backup-base-*"), Is.Empty, "the spooled base is removed");

        await RegistryRestore.RestoreAsync(file, TestData.Options(), restoredDir.Path, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, CancellationToken.None);
        await using RegistryService restored = await TestData.OpenAsync(restoredDir.Path, Retaining("1.00:00:00", TimeSpan.FromHours(1)), time);
        Assert.That((restored.LastSequence, restored.FirstRetainedSequence), Is.EqualTo((8UL, 6UL)));
        Assert.That(restored.GetStatus().Digest, Is.EqualTo(registry.GetStatus().Digest));
        Assert.That(restored.Generation, Is.Not.EqualTo(registry.Generation));
        for (int serial = 0; serial < 5; serial++)
            Assert.That((await HistoryAsync(restored, serial)).Select(c => (c.Sequence, c.List)), Is.EqualTo((await HistoryAsync(registry, serial)).Select(c => (c.Sequence, c.List))), $"IMEI {serial}");
        Assert.That(registry.TryGetAny(TestData.Imei(3), out ImeiRecord removed) && restored.TryGetAny(TestData.Imei(3), out ImeiRecord again) && removed == again, "the tombstone too");
        // The restored registry writes on from there.
        await TestData.PushCsvAsync(restored, Batch(9, 1));
        Assert.That(restored.LastSequence, Is.EqualTo(9UL));
    }

    [Test]
    public async Task A_backup_of_a_truncated_log_keeps_the_pairs_of_an_IMEI_paired_before_the_log_begins()
    {
        using var dir = new TempDirectory();
        using var restoredDir = new TempDirectory();
        var time = new FakeTimeProvider(Start);
        string file = Path.Combine(dir.Path, "registry.backup");
        const string a = "401011111111111", b = "401012222222222";
        await using RegistryService registry = await TestData.OpenAsync(Path.Combine(dir.Path, "registry"), Retaining("1.00:00:00", TimeSpan.FromHours(1)), time);
        await TestData.PushCsvAsync(registry, Batch(0, 4));                                                            // changes 1..4
        await TestData.PushCsvAsync(registry, $"op,imei,imsi\npair,{TestData.Text(2)},{a}\npair,{TestData.Text(2)},{b}\n"); // 5, 6
        time.Advance(TimeSpan.FromDays(2));
        await TestData.PushCsvAsync(registry, Batch(0, 1, "black", "stolen"));                                        // 7
        await registry.CheckpointAsync(CancellationToken.None);
        Assert.That(registry.FirstRetainedSequence, Is.EqualTo(7UL), "IMEI 2's pairs are only in the view now");
        await using (var output = new FileStream(file, FileMode.Create))
            await registry.WriteBackupAsync(output, null, CancellationToken.None);

        await RegistryRestore.RestoreAsync(file, TestData.Options(), restoredDir.Path, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, CancellationToken.None);
        await using RegistryService restored = await TestData.OpenAsync(restoredDir.Path, Retaining("1.00:00:00", TimeSpan.FromHours(1)), time);
        Assert.That(restored.TryGetAny(TestData.Imei(2), out ImeiRecord record) && record.IsPaired && record.List == ListKind.White, "paired, its list kept");
        Assert.That(restored.GetStatus().Digest, Is.EqualTo(registry.GetStatus().Digest), "the digest covers the pairs");
        // Unpairing one of them works from the restored table, and the other stays.
        await TestData.PushCsvAsync(restored, $"op,imei,imsi\nunpair,{TestData.Text(2)},{a}\n");
        Assert.That(restored.TryGetAny(TestData.Imei(2), out record) && record.IsPaired, "b is still a rightful IMSI");
    }

    [Test]
    public async Task History_kept_for_ever_keeps_the_whole_log_while_the_feed_window_moves()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(Start);
        await using RegistryService registry = await TestData.OpenAsync(dir.Path, Retaining(RegistryOptions.Forever, TimeSpan.FromHours(1)), time);
        await TestData.PushCsvAsync(registry, Batch(0, 4));
        time.Advance(TimeSpan.FromDays(2));
        await TestData.PushCsvAsync(registry, Batch(0, 1, "black", "stolen"));
        await registry.CheckpointAsync(CancellationToken.None);

        Assert.That((registry.FirstRetainedSequence, registry.FeedFirstSequence), Is.EqualTo((1UL, 5UL)));
        Assert.That((await HistoryAsync(registry, 0)).Select(c => c.Sequence), Is.EqualTo(new ulong[] { 1, 5 }));
    }

    [TestCase("forever", null)]
    [TestCase("Forever", null)]
    [TestCase("30.00:00:00", null)]
    [TestCase("00:00:30", "Registry:HistoryRetention: '00:00:30' must be 'forever' or a duration")]
    [TestCase("a year", "Registry:HistoryRetention: 'a year' must be 'forever' or a duration")]
    public void History_retention_is_forever_or_a_duration(string value, string? problem)
    {
        string[] problems = TestData.Options(o => o.HistoryRetention = value).Validate().ToArray();
        if (problem is null) Assert.That(problems, Is.Empty);
        else Assert.That(problems, Has.One.StartsWith(problem));
    }

    [Test]
    public void Feed_retention_below_a_minute_is_refused_naming_the_key()
    {
        Assert.That(TestData.Options(o => o.FeedRetention = TimeSpan.FromSeconds(5)).Validate(),
            Has.One.StartsWith("Registry:FeedRetention: "));
        Assert.That(new RegistryOptions().FeedRetention, Is.EqualTo(TimeSpan.FromDays(7)));
        Assert.That(new RegistryOptions().HistoryRetention, Is.EqualTo("forever"));
    }
}
