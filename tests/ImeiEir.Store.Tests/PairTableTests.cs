using System.Runtime.CompilerServices;
using ImeiEir.Core;

namespace ImeiEir.Store.Tests;

/// <summary>The pair table (docs/ARCHITECTURE.md, rule 2a): pair changes through the applier, its limits, scans and digests.</summary>
public class PairTableTests
{
    private static readonly Imei Device = Imei.Parse("35209900176148");
    private static readonly PackedImsi A = Imsi("401011111111111"), B = Imsi("401012222222222"), C = Imsi("401013333333333");

    private static PackedImsi Imsi(string digits)
    {
        Assert.That(PackedImsi.TryPack(digits, out PackedImsi imsi), Is.True);
        return imsi;
    }

    private static Change Set(ulong sequence) => new()
    {
        Sequence = sequence, ImeiKey = Device.Key, Op = ChangeOp.Set, List = ListKind.White, Reason = Reason.Verified, Origin = ChangeOrigin.Admin,
    };

    private static Change Pair(ulong sequence, PackedImsi imsi, bool unpair = false) => new()
    {
        Sequence = sequence, ImeiKey = Device.Key, Op = unpair ? ChangeOp.Unpair : ChangeOp.Pair, Imsi = imsi, Origin = ChangeOrigin.Admin,
    };

    private static PackedImsi[] PairsOf(ImeiStoreSession session, Imei imei)
    {
        var pairs = new PackedImsi[PairTable.MaxPairs];
        return pairs[..session.GetPairs(imei, pairs)];
    }

    [Test]
    public void The_record_keeps_its_16_bytes_with_the_paired_flag() =>
        Assert.That(Unsafe.SizeOf<ImeiRecord>(), Is.EqualTo(16));

    [Test]
    public void A_pair_marks_the_record_and_keeps_its_list()
    {
        using var store = new ImeiStore(new StoreOptions { ExpectedRecords = 64 });
        using ImeiStoreSession session = store.NewSession();
        ChangeApplier.Apply(session, Set(1));
        ChangeApplier.Apply(session, Pair(2, A));
        Assert.That(session.TryGet(Device, out ImeiRecord record), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(record.IsPaired, Is.True);
            Assert.That(record.List, Is.EqualTo(ListKind.White));
            Assert.That(record.Reason, Is.EqualTo(Reason.Verified));
            Assert.That(record.Sequence, Is.EqualTo(2UL));
            Assert.That(session.IsPairedWith(Device, A), Is.True);
            Assert.That(session.IsPairedWith(Device, B), Is.False);
        });
    }

    [Test]
    public void A_set_after_a_pair_keeps_the_pairing_and_the_last_unpair_clears_it()
    {
        using var store = new ImeiStore(new StoreOptions { ExpectedRecords = 64 });
        using ImeiStoreSession session = store.NewSession();
        ChangeApplier.Apply(session, Pair(1, A));
        ChangeApplier.Apply(session, Pair(2, B));
        ChangeApplier.Apply(session, Set(3));
        session.TryGet(Device, out ImeiRecord afterSet);
        Assert.That(afterSet.IsPaired, Is.True);
        ChangeApplier.Apply(session, Pair(4, A, unpair: true));
        Assert.That(PairsOf(session, Device), Is.EqualTo(new[] { B }), "the slots stay dense");
        ChangeApplier.Apply(session, Pair(5, B, unpair: true));
        session.TryGet(Device, out ImeiRecord afterUnpair);
        Assert.That(afterUnpair.IsPaired, Is.False);
        Assert.That(afterUnpair.List, Is.EqualTo(ListKind.White));
        Assert.That(PairsOf(session, Device), Is.Empty);
    }

    [Test]
    public void Replaying_pair_changes_changes_nothing()
    {
        using var store = new ImeiStore(new StoreOptions { ExpectedRecords = 64 });
        using ImeiStoreSession session = store.NewSession();
        Change[] changes = [Set(1), Pair(2, A), Pair(3, B), Pair(4, A, unpair: true), Pair(5, C)];
        foreach (Change change in changes) ChangeApplier.Apply(session, change);
        foreach (Change change in changes)
            Assert.That(ChangeApplier.Apply(session, change), Is.EqualTo(ApplyOutcome.AlreadyApplied));
        Assert.That(PairsOf(session, Device), Is.EquivalentTo(new[] { B, C }));
    }

    [Test]
    public void A_store_holds_at_most_the_limit_of_pairs_per_IMEI()
    {
        using var store = new ImeiStore(new StoreOptions { ExpectedRecords = 64 });
        using ImeiStoreSession session = store.NewSession();
        for (int i = 0; i < PairTable.MaxPairs + 2; i++)
            Assert.That(session.AddPair(Device, Imsi($"40101000000000{i}")), Is.EqualTo(Math.Min(i + 1, PairTable.MaxPairs)));
        Assert.That(session.IsPairedWith(Device, Imsi("401010000000009")), Is.False);
    }

    [Test]
    public void A_scan_sees_records_but_not_pair_entries()
    {
        using var store = new ImeiStore(new StoreOptions { ExpectedRecords = 64 });
        using ImeiStoreSession session = store.NewSession();
        ChangeApplier.Apply(session, Set(1));
        ChangeApplier.Apply(session, Pair(2, A));
        ChangeApplier.Apply(session, Pair(3, B));
        Assert.That(store.Scan().Select(r => r.Imei), Is.EqualTo(new[] { Device }));
        Assert.That(store.ScanPairs().Select(p => (p.Imei, p.Imsi)), Is.EquivalentTo(new[] { (Device, A), (Device, B) }));
    }

    [Test]
    public void The_digest_differs_when_only_the_pairs_differ()
    {
        using var one = new ImeiStore(new StoreOptions { ExpectedRecords = 64 });
        using var other = new ImeiStore(new StoreOptions { ExpectedRecords = 64 });
        using (ImeiStoreSession s1 = one.NewSession())
        using (ImeiStoreSession s2 = other.NewSession())
        {
            ChangeApplier.Apply(s1, Set(1));
            ChangeApplier.Apply(s2, Set(1));
            ChangeApplier.Apply(s1, Pair(2, A));
            ChangeApplier.Apply(s2, Pair(2, B)); // same records, same numbers: only the IMSI differs
        }
        Assert.That(StateDigest.Compute(one).Records, Is.EqualTo(StateDigest.Compute(other).Records));
        Assert.That(StateDigest.Compute(one), Is.Not.EqualTo(StateDigest.Compute(other)));
    }

    [Test]
    public void The_digest_of_the_same_pairs_in_another_order_is_the_same()
    {
        using var one = new ImeiStore(new StoreOptions { ExpectedRecords = 64 });
        using var other = new ImeiStore(new StoreOptions { ExpectedRecords = 64 });
        using (ImeiStoreSession s1 = one.NewSession())
        using (ImeiStoreSession s2 = other.NewSession())
        {
            ChangeApplier.Apply(s1, Set(1));
            ChangeApplier.Apply(s1, Pair(2, A));
            ChangeApplier.Apply(s1, Pair(3, B));
            // The other got there from a snapshot: slots written in another order, the record as the registry had it.
            s2.SetPairSlot(Device, 0, B);
            s2.SetPairSlot(Device, 1, A);
            s1.TryGet(Device, out ImeiRecord record);
            s2.Upsert(Device, record);
        }
        Assert.That(StateDigest.Compute(one), Is.EqualTo(StateDigest.Compute(other)));
    }

    [Test]
    public void Pairs_survive_a_checkpoint_and_recovery()
    {
        using var directory = new TempDirectory();
        using (var store = new ImeiStore(new StoreOptions { Directory = directory.Path, ExpectedRecords = 64 }))
        {
            using (ImeiStoreSession session = store.NewSession())
            {
                ChangeApplier.Apply(session, Set(1));
                ChangeApplier.Apply(session, Pair(2, A));
            }
            store.CheckpointAsync(2).AsTask().GetAwaiter().GetResult();
        }
        using var recovered = new ImeiStore(new StoreOptions { Directory = directory.Path, ExpectedRecords = 64 });
        Assert.That(recovered.TryRecover(), Is.True);
        using ImeiStoreSession reader = recovered.NewSession();
        Assert.That(reader.IsPairedWith(Device, A), Is.True);
    }
}
