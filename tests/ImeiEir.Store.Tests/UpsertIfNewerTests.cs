using ImeiEir.Core;

namespace ImeiEir.Store.Tests;

/// <summary>
/// The conditional write behind <see cref="ChangeApplier"/>, in each place FASTER can find a record: the mutable
/// region (updated in place), the read-only region (copied to the tail) and the disk (a pending operation).
/// </summary>
public class UpsertIfNewerTests
{
    private static ImeiRecord At(ulong sequence, ListKind list = ListKind.White) =>
        new(list, list == ListKind.Black ? Reason.Stolen : Reason.Verified, 0, sequence);

    [Test]
    public void An_absent_IMEI_is_written()
    {
        using var store = new ImeiStore(new StoreOptions { ExpectedRecords = 64 });
        using ImeiStoreSession session = store.NewSession();
        Imei imei = TestData.ImeiAt(1);
        Assert.That(session.UpsertIfNewer(imei, At(5)), Is.True);
        Assert.That(session.TryGet(imei, out ImeiRecord record), Is.True);
        Assert.That(record, Is.EqualTo(At(5)));
    }

    [Test]
    public void Only_a_higher_sequence_replaces_a_record_wherever_FASTER_holds_it()
    {
        using var directory = new TempDirectory();
        // 2^20 bytes of memory hold ~32k records; 120k spill the oldest to disk and leave a read-only region.
        const int count = 120_000;
        using var store = new ImeiStore(new StoreOptions { Directory = directory.Path, ExpectedRecords = count, MemorySizeBits = 20 });
        using ImeiStoreSession session = store.NewSession();
        for (int i = 0; i < count; i++) session.Upsert(TestData.ImeiAt(i), At(1000));
        Assert.That(store.Statistics.SpilledBytes, Is.GreaterThan(0));
        long diskReadsBefore = store.Statistics.DiskReads;

        // Newest first, so the records still in memory are tried before the retries append to the tail.
        for (int i = count - 1; i >= 0; i--)
        {
            Imei imei = TestData.ImeiAt(i);
            Assert.That(session.UpsertIfNewer(imei, At(999, ListKind.Black)), Is.False, $"an older change, record {i}");
            Assert.That(session.UpsertIfNewer(imei, At(1000, ListKind.Black)), Is.False, $"the same change again, record {i}");
            Assert.That(session.TryGet(imei, out ImeiRecord kept), Is.True);
            Assert.That(kept, Is.EqualTo(At(1000)), $"record {i} after refused writes");
        }
        for (int i = count - 1; i >= 0; i--)
        {
            Imei imei = TestData.ImeiAt(i);
            Assert.That(session.UpsertIfNewer(imei, At(1001, ListKind.Black)), Is.True, $"a newer change, record {i}");
            Assert.That(session.TryGet(imei, out ImeiRecord replaced), Is.True);
            Assert.That(replaced, Is.EqualTo(At(1001, ListKind.Black)), $"record {i} after the newer write");
        }
        Assert.That(store.Statistics.DiskReads, Is.GreaterThan(diskReadsBefore), "some of the writes went through FASTER's disk path");
    }

    [Test]
    public void A_local_provisional_record_yields_to_the_first_registry_change()
    {
        using var store = new ImeiStore(new StoreOptions { ExpectedRecords = 64 });
        using ImeiStoreSession session = store.NewSession();
        Imei imei = TestData.ImeiAt(2);
        session.Upsert(imei, new ImeiRecord(ListKind.Grey, Reason.Unverified, 2_000_000_000, sequence: 0));
        Assert.That(session.UpsertIfNewer(imei, At(1)), Is.True);
        session.TryGet(imei, out ImeiRecord record);
        Assert.That(record, Is.EqualTo(At(1)));
    }
}
