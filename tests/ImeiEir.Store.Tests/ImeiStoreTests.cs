using ImeiEir.Core;

namespace ImeiEir.Store.Tests;

public class ImeiStoreTests
{
    private static readonly Imei Sample = Imei.Parse("490154203237518");

    [Test]
    public void Get_of_an_unknown_imei_is_false()
    {
        using var store = new ImeiStore(new StoreOptions { ExpectedRecords = 1000 });
        using var session = store.NewSession();

        Assert.That(session.TryGet(Sample, out ImeiRecord record), Is.False);
        Assert.That(record, Is.EqualTo(default(ImeiRecord)));
    }

    [Test]
    public void Upsert_then_get_returns_the_record_and_a_second_upsert_replaces_it()
    {
        using var store = new ImeiStore(new StoreOptions { ExpectedRecords = 1000 });
        using var session = store.NewSession();
        var grey = new ImeiRecord(ListKind.Grey, Reason.Unverified, 1_798_052_400, 0);
        var black = new ImeiRecord(ListKind.Black, Reason.GreyExpired, 0, 42);

        session.Upsert(Sample, grey);
        Assert.That(session.TryGet(Sample, out ImeiRecord first), Is.True);
        Assert.That(first, Is.EqualTo(grey));

        session.Upsert(Sample, black);
        Assert.That(session.TryGet(Sample, out ImeiRecord second), Is.True);
        Assert.That(second, Is.EqualTo(black));
        Assert.That(store.CountRecords(), Is.EqualTo(1));
    }

    [Test]
    public void The_14_15_and_16_digit_forms_are_one_record()
    {
        using var store = new ImeiStore(new StoreOptions { ExpectedRecords = 1000 });
        using var session = store.NewSession();
        var white = new ImeiRecord(ListKind.White, Reason.Verified, 0, 7);

        session.Upsert(Imei.Parse("49015420323751"), white);

        Assert.That(session.TryGet(Imei.Parse("490154203237518"), out ImeiRecord viaCheckDigit), Is.True);
        Assert.That(session.TryGet(Imei.Parse("4901542032375103"), out ImeiRecord viaImeisv), Is.True);
        Assert.That(viaCheckDigit, Is.EqualTo(white));
        Assert.That(viaImeisv, Is.EqualTo(white));
    }

    [Test]
    public void Delete_removes_the_record_and_says_whether_there_was_one()
    {
        using var store = new ImeiStore(new StoreOptions { ExpectedRecords = 1000 });
        using var session = store.NewSession();
        session.Upsert(Sample, new ImeiRecord(ListKind.Black, Reason.Stolen));

        Assert.That(session.Delete(Sample), Is.True);
        Assert.That(session.TryGet(Sample, out _), Is.False);
        Assert.That(session.Delete(Sample), Is.False);
        Assert.That(store.CountRecords(), Is.Zero);

        session.Upsert(Sample, new ImeiRecord(ListKind.White, Reason.Verified));
        Assert.That(session.TryGet(Sample, out ImeiRecord again), Is.True);
        Assert.That(again.List, Is.EqualTo(ListKind.White));
    }

    [Test]
    public void Scan_returns_every_live_record_once()
    {
        using var store = new ImeiStore(new StoreOptions { ExpectedRecords = 10_000 });
        using var session = store.NewSession();
        var expected = new Dictionary<ulong, ImeiRecord>();
        for (int i = 0; i < 5000; i++)
        {
            session.Upsert(TestData.ImeiAt(i), TestData.RecordAt(i));
            expected[TestData.ImeiAt(i).Key] = TestData.RecordAt(i);
        }
        for (int i = 0; i < 5000; i += 5)
        {
            session.Delete(TestData.ImeiAt(i));
            expected.Remove(TestData.ImeiAt(i).Key);
        }
        for (int i = 1; i < 5000; i += 7)
        {
            var changed = new ImeiRecord(ListKind.Black, Reason.Admin, 0, 99_999);
            session.Upsert(TestData.ImeiAt(i), changed);
            expected[TestData.ImeiAt(i).Key] = changed;
        }

        var scanned = store.Scan().ToDictionary(r => r.Imei.Key, r => r.Record);

        Assert.That(scanned, Is.EquivalentTo(expected));
        Assert.That(store.CountRecords(), Is.EqualTo(expected.Count));
    }

    [Test]
    public void A_record_takes_32_bytes_of_log_and_everything_stays_in_memory()
    {
        const int count = 100_000;
        using var store = new ImeiStore(new StoreOptions { ExpectedRecords = count });
        using var session = store.NewSession();
        StoreStatistics before = store.Statistics;
        for (int i = 0; i < count; i++) session.Upsert(TestData.ImeiAt(i), TestData.RecordAt(i));
        StoreStatistics after = store.Statistics;

        double bytesPerRecord = (double)(after.LogBytes - before.LogBytes) / count;
        TestContext.Out.WriteLine($"log bytes per record: {bytesPerRecord:F2}; memory capacity {after.MemoryCapacityBytes}; index {after.IndexBytes}");
        Assert.That(bytesPerRecord, Is.InRange(32.0, 33.0));
        Assert.That(after.SpilledBytes, Is.Zero);
        Assert.That(after.MemoryCapacityBytes, Is.GreaterThanOrEqualTo(2L * 32 * count));
        for (int i = 0; i < count; i++) session.TryGet(TestData.ImeiAt(i), out _);
        Assert.That(store.Statistics.DiskReads, Is.Zero);
    }

    [Test]
    public void A_log_larger_than_memory_still_reads_correctly_and_counts_disk_reads()
    {
        using var directory = new TempDirectory();
        // 2^20 bytes of memory hold ~32k records; write about four times that.
        const int count = 120_000;
        using var store = new ImeiStore(new StoreOptions { Directory = directory.Path, ExpectedRecords = count, MemorySizeBits = 20 });
        using var session = store.NewSession();
        for (int i = 0; i < count; i++) session.Upsert(TestData.ImeiAt(i), TestData.RecordAt(i));
        Assert.That(store.Statistics.SpilledBytes, Is.GreaterThan(0));

        for (int i = 0; i < count; i++)
        {
            Assert.That(session.TryGet(TestData.ImeiAt(i), out ImeiRecord record), Is.True, $"record {i}");
            Assert.That(record, Is.EqualTo(TestData.RecordAt(i)), $"record {i}");
        }
        Assert.That(store.Statistics.DiskReads, Is.GreaterThan(0));
        Assert.That(store.CountRecords(), Is.EqualTo(count));
    }

    [Test]
    public void Options_are_validated_with_the_key_in_each_message()
    {
        var options = new StoreOptions { Directory = " ", ExpectedRecords = 0, MemorySizeBits = 3 };

        IReadOnlyList<string> problems = options.Validate();

        Assert.That(problems, Has.Count.EqualTo(3));
        Assert.That(problems[0], Does.StartWith("Store:Directory: "));
        Assert.That(problems[1], Does.StartWith("Store:ExpectedRecords: "));
        Assert.That(problems[2], Does.StartWith("Store:MemorySizeBits: "));
        Assert.That(() => new ImeiStore(options), Throws.ArgumentException);
        Assert.That(new StoreOptions().Validate(), Is.Empty);
    }

    [Test]
    public void Sizing_derives_a_power_of_two_index_and_log_from_expected_records()
    {
        Assert.That(StoreSizing.IndexBuckets(1_000_000), Is.EqualTo(262_144));
        Assert.That(StoreSizing.IndexBuckets(1), Is.EqualTo(64));
        Assert.That(StoreSizing.MemorySizeBits(new StoreOptions { ExpectedRecords = 1_000_000 }), Is.EqualTo(26)); // 64 MB >= 2 x 32 MB
        Assert.That(StoreSizing.MemorySizeBits(new StoreOptions { ExpectedRecords = 100_000_000 }), Is.EqualTo(33)); // 8 GiB >= 6.4 GB
        Assert.That(StoreSizing.MemorySizeBits(new StoreOptions { ExpectedRecords = 10 }), Is.EqualTo(20));
        Assert.That(StoreSizing.MemorySizeBits(new StoreOptions { MemorySizeBits = 24 }), Is.EqualTo(24));
    }

    [Test]
    public void A_store_without_a_directory_cannot_checkpoint_and_has_nothing_to_recover()
    {
        using var store = new ImeiStore(new StoreOptions { ExpectedRecords = 100 });

        Assert.That(store.TryRecover(out string? failure), Is.False);
        Assert.That(failure, Is.Null);
        Assert.That(async () => await store.CheckpointAsync(), Throws.InvalidOperationException);
    }
}
