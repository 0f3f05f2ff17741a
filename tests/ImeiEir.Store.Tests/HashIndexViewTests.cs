using ImeiEir.Core;

namespace ImeiEir.Store.Tests;

/// <summary>
/// The prefetch view reads FASTER's internal bucket table; these tests fail if a FASTER upgrade moves it, instead of
/// letting prefetches silently miss.
/// </summary>
public unsafe class HashIndexViewTests
{
    [Test]
    public void The_view_finds_the_table_FASTER_allocated()
    {
        using var store = new ImeiStore(new StoreOptions { ExpectedRecords = 100_000 });
        Assert.That(store.PrefetchAvailable, Is.True);
        Assert.That(store.Index.BucketCount * 64, Is.EqualTo(store.Statistics.IndexBytes));
    }

    [Test]
    public void Every_key_is_indexed_in_the_bucket_the_view_computes()
    {
        // 32,768 buckets and 300 keys: no bucket overflows, so each key's entry sits in its home bucket.
        using var store = new ImeiStore(new StoreOptions { ExpectedRecords = 100_000 });
        using var session = store.NewSession();
        var expected = new HashSet<long>();
        for (int i = 0; i < 300; i++)
        {
            Imei imei = TestData.ImeiAt(i);
            session.Upsert(imei, TestData.RecordAt(i));
            expected.Add((long)(store.Index.BucketOf((long)imei.Key) - store.Index.Buckets));
        }

        var occupied = new HashSet<long>();
        HashIndexView index = store.Index;
        for (long b = 0; b < index.BucketCount; b++)
        {
            long* entries = (long*)(index.Buckets + b * 64);
            for (int slot = 0; slot < 7; slot++) // the 8th word is the overflow pointer and latch bits
            {
                if (entries[slot] != 0)
                {
                    occupied.Add(b * 64);
                    break;
                }
            }
        }
        Assert.That(occupied, Is.EquivalentTo(expected));
    }

    [Test]
    public void A_table_advised_onto_huge_pages_keeps_every_record()
    {
        // 2^18 buckets = 16 MiB of index: whole 2 MiB pages inside it.
        using var store = new ImeiStore(new StoreOptions { ExpectedRecords = 1_000_000 });
        if (OperatingSystem.IsLinux())
            Assert.That(store.HugePageIndexBytes, Is.GreaterThanOrEqualTo(14L << 20).And.LessThanOrEqualTo(store.Statistics.IndexBytes));
        else
            Assert.That(store.HugePageIndexBytes, Is.Zero);

        using var session = store.NewSession();
        session.EnterBatch();
        for (int i = 0; i < 50_000; i++)
        {
            if (i + ImeiStoreSession.PrefetchDistance < 50_000) session.Prefetch(TestData.ImeiAt(i + ImeiStoreSession.PrefetchDistance));
            session.Upsert(TestData.ImeiAt(i), TestData.RecordAt(i));
        }
        session.ExitBatch();
        for (int i = 0; i < 50_000; i++)
        {
            Assert.That(session.TryGet(TestData.ImeiAt(i), out ImeiRecord record), Is.True, $"record {i}");
            Assert.That(record, Is.EqualTo(TestData.RecordAt(i)), $"record {i}");
        }
    }

    [Test]
    public void A_small_table_is_not_advised()
    {
        using var store = new ImeiStore(new StoreOptions { ExpectedRecords = 64 });
        Assert.That(store.HugePageIndexBytes, Is.Zero);
    }

    [Test]
    public void A_table_is_not_advised_when_the_option_is_off()
    {
        using var store = new ImeiStore(new StoreOptions { ExpectedRecords = 1_000_000, HugePageIndex = false });
        Assert.That(store.HugePageIndexBytes, Is.Zero);
        Assert.That(store.PrefetchAvailable, Is.True, "prefetching does not depend on huge pages");
    }
}
