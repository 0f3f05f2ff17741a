using ImeiEir.Core;

namespace ImeiEir.Registry.Tests;

public class FeedTests
{
    private TempDirectory _dir = null!;
    private RegistryService _registry = null!;

    [SetUp]
    public async Task SetUp()
    {
        _dir = new TempDirectory();
        _registry = await TestData.OpenAsync(_dir.Path);
    }

    [TearDown]
    public async Task TearDown()
    {
        await _registry.DisposeAsync();
        _dir.Dispose();
    }

    private static string Batch(int from, int count) =>
        "imei,list,reason\n" + string.Concat(Enumerable.Range(from, count).Select(i => $"{TestData.Text(i)},white,verified\n"));

    [Test]
    public async Task Reads_in_order_from_any_position()
    {
        // Several batches, enough to span many index blocks (512 changes each) and log pages.
        for (int b = 0; b < 5; b++) await TestData.PushCsvAsync(_registry, Batch(b * 4000, 4000));
        Assert.That(_registry.LastSequence, Is.EqualTo(20_000UL));
        var buffer = new Change[700];
        foreach (ulong after in new ulong[] { 0, 1, 511, 512, 513, 4000, 12_345, 19_300, 19_999 })
        {
            int count = await _registry.ReadChangesAsync(after, buffer, TimeSpan.Zero, CancellationToken.None);
            Assert.That(count, Is.EqualTo((int)Math.Min(700UL, 20_000UL - after)), $"after {after}");
            for (int i = 0; i < count; i++)
            {
                Assert.That(buffer[i].Sequence, Is.EqualTo(after + 1 + (ulong)i));
                Assert.That(buffer[i].ImeiKey, Is.EqualTo(TestData.Imei((int)(after + (ulong)i)).Key));
            }
        }
        Assert.That(await _registry.ReadChangesAsync(20_000, buffer, TimeSpan.Zero, CancellationToken.None), Is.EqualTo(0));
    }

    [Test]
    public async Task Reads_after_reopen_come_from_disk()
    {
        for (int b = 0; b < 4; b++) await TestData.PushCsvAsync(_registry, Batch(b * 20_000, 20_000));
        await _registry.DisposeAsync();
        _registry = await TestData.OpenAsync(_dir.Path);
        List<Change> all = await TestData.ReadAllAsync(_registry, after: 1000);
        Assert.That(all.Select(c => c.Sequence), Is.EqualTo(Enumerable.Range(1001, 79_000).Select(i => (ulong)i)));
    }

    [Test]
    public async Task Waits_for_a_commit_and_wakes_on_it()
    {
        await TestData.PushCsvAsync(_registry, Batch(0, 3));
        var buffer = new Change[10];
        ValueTask<int> waiting = _registry.ReadChangesAsync(3, buffer, TimeSpan.FromSeconds(30), CancellationToken.None);
        // A second reader, started after the first, whose 100 ms wait ends empty: the first has waited at least as long.
        Assert.That(await _registry.ReadChangesAsync(3, new Change[10], TimeSpan.FromMilliseconds(100), CancellationToken.None), Is.EqualTo(0));
        Assert.That(waiting.IsCompleted, Is.False, "nothing after 3 yet: the reader waits");

        var started = System.Diagnostics.Stopwatch.StartNew();
        await TestData.PushCsvAsync(_registry, Batch(10, 2));
        int count = await waiting.AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.That(count, Is.EqualTo(2));
        Assert.That(buffer[0].Sequence, Is.EqualTo(4UL));
        Assert.That(started.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)), "woken by the commit, not by the 30 s wait");
    }

    [Test]
    public async Task Wait_ends_with_zero_when_nothing_comes()
    {
        var buffer = new Change[10];
        var started = System.Diagnostics.Stopwatch.StartNew();
        Assert.That(await _registry.ReadChangesAsync(0, buffer, TimeSpan.FromMilliseconds(150), CancellationToken.None), Is.EqualTo(0));
        Assert.That(started.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(140)));
    }

    [Test]
    public async Task Wait_is_cancellable_and_ends_on_dispose()
    {
        var buffer = new Change[10];
        using var cts = new CancellationTokenSource(100);
        Assert.CatchAsync<OperationCanceledException>(async () => await _registry.ReadChangesAsync(0, buffer, TimeSpan.FromSeconds(30), cts.Token));

        ValueTask<int> waiting = _registry.ReadChangesAsync(0, buffer, TimeSpan.FromSeconds(30), CancellationToken.None);
        await _registry.DisposeAsync();
        Assert.CatchAsync<ObjectDisposedException>(async () => await waiting.AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
        _registry = await TestData.OpenAsync(_dir.Path);
    }

    [Test]
    public void After_beyond_the_last_change_is_refused()
    {
        Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await _registry.ReadChangesAsync(5, new Change[1], TimeSpan.Zero, CancellationToken.None));
    }

    [Test]
    public async Task Snapshot_round_trip_equals_the_view()
    {
        await TestData.PushCsvAsync(_registry, "imei,list,reason,deadline\n" + string.Concat(Enumerable.Range(0, 3000).Select(i =>
            i % 3 == 0 ? $"{TestData.Text(i)},grey,unverified,2030-01-01\n" : i % 3 == 1 ? $"{TestData.Text(i)},black,stolen,\n" : $"{TestData.Text(i)},white,verified,\n")));
        await TestData.PushCsvAsync(_registry, "op,imei\n" + string.Concat(Enumerable.Range(0, 100).Select(i => $"remove,{TestData.Text(i)}\n")));

        var stream = new MemoryStream();
        await _registry.WriteSnapshotAsync(stream, CancellationToken.None);
        byte[] bytes = stream.ToArray();

        Assert.That(SnapshotFormat.TryReadHeader(bytes, out ulong sequence, out _), Is.True);
        Assert.That(sequence, Is.EqualTo(_registry.LastSequence));
        var records = new Dictionary<ulong, ImeiRecord>();
        int offset = SnapshotFormat.HeaderSize;
        while (!SnapshotFormat.IsTrailer(bytes.AsSpan(offset)))
        {
            Assert.That(SnapshotFormat.TryReadRecord(bytes.AsSpan(offset), out Imei imei, out ImeiRecord record), Is.True);
            records.Add(imei.Key, record);
            offset += SnapshotFormat.RecordSize;
        }
        Assert.That(SnapshotFormat.ReadTrailerCount(bytes.AsSpan(offset)), Is.EqualTo((ulong)records.Count));
        Assert.That(offset + SnapshotFormat.TrailerSize, Is.EqualTo(bytes.Length));

        Assert.That(records, Has.Count.EqualTo(2900), "removed IMEIs are not live records");
        for (int i = 0; i < 3000; i++)
        {
            bool live = _registry.TryGet(TestData.Imei(i), out ImeiRecord expected);
            Assert.That(records.TryGetValue(TestData.Imei(i).Key, out ImeiRecord actual), Is.EqualTo(live), $"IMEI {i}");
            if (live) Assert.That(actual, Is.EqualTo(expected));
        }
    }

    [Test]
    public async Task History_is_oldest_first_with_every_change()
    {
        Imei a = TestData.Imei(1), b = TestData.Imei(2);
        await TestData.PushCsvAsync(_registry, $"imei,list,reason,deadline\n{a},grey,unverified,2030-01-01\n{TestData.Text(3)},white,verified,\n");
        await TestData.PushCsvAsync(_registry, $"imei,list,reason\n{a},white,verified\n");
        await TestData.PushCsvAsync(_registry, Batch(100, 2000)); // other IMEIs in between: history skips them
        await TestData.PushCsvAsync(_registry, $"op,imei,new_imei\nreplace,{a},{b}\n");
        await TestData.PushCsvAsync(_registry, $"op,imei,reason\nremove,{a},admin\n");

        var history = new List<Change>();
        await foreach (Change change in _registry.GetHistoryAsync(a, CancellationToken.None)) history.Add(change);
        Assert.That(history.Select(c => (c.Sequence, c.Op, c.List, c.Reason)), Is.EqualTo(new[]
        {
            (1UL, ChangeOp.Set, ListKind.Grey, Reason.Unverified),
            (3UL, ChangeOp.Set, ListKind.White, Reason.Verified),
            (2004UL, ChangeOp.Set, ListKind.Black, Reason.ServiceReplacement),
            (2006UL, ChangeOp.Remove, ListKind.None, Reason.Admin),
        }));
        Assert.That(history[2].RelatedImeiKey, Is.EqualTo(b.Key));

        var none = new List<Change>();
        await foreach (Change change in _registry.GetHistoryAsync(TestData.Imei(999_999), CancellationToken.None)) none.Add(change);
        Assert.That(none, Is.Empty);
    }
}
