using ImeiEir.Core;

namespace ImeiEir.Store.Tests;

public class AllocationTests
{
    [Test]
    public void TryGet_allocates_nothing_after_warm_up()
    {
        const int keys = 10_000;
        using var store = new ImeiStore(new StoreOptions { ExpectedRecords = keys });
        using var session = store.NewSession();
        var imeis = new Imei[keys];
        for (int i = 0; i < keys; i++)
        {
            imeis[i] = TestData.ImeiAt(i);
            if (i % 2 == 0) session.Upsert(imeis[i], TestData.RecordAt(i)); // half are misses
        }

        int hits = Lookups(session, imeis, 100_000); // warm-up: JIT, tiering
        long before = GC.GetAllocatedBytesForCurrentThread();
        hits += Lookups(session, imeis, 100_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.That(hits, Is.EqualTo(100_000));
        Assert.That(allocated, Is.Zero);
    }

    private static int Lookups(ImeiStoreSession session, Imei[] imeis, int count)
    {
        int hits = 0;
        for (int i = 0; i < count; i++)
            if (session.TryGet(imeis[i % imeis.Length], out _)) hits++;
        return hits;
    }
}
