using ImeiEir.Core;

namespace ImeiEir.Store.Tests;

public class StateDigestTests
{
    private static readonly (Imei, ImeiRecord)[] State =
    [
        (Imei.Parse("35209900176148"), new ImeiRecord(ListKind.White, Reason.Verified, 0, 1)),
        (Imei.Parse("35123456000000"), new ImeiRecord(ListKind.Black, Reason.Stolen, 0, 2)),
        (Imei.Parse("35693803564380"), new ImeiRecord(ListKind.Grey, Reason.Unverified, 1_900_000_000, 3)),
    ];

    [FsCheck.NUnit.Property]
    public bool The_order_of_records_does_not_matter(int seed)
    {
        var shuffled = State.OrderBy(_ => new Random(seed).Next()).ToArray();
        new Random(seed).Shuffle(shuffled);
        return StateDigest.Compute(shuffled) == StateDigest.Compute(State);
    }

    [Test]
    public void Tombstones_and_local_provisional_records_are_not_registry_state()
    {
        var withLocal = State.Append((Imei.Parse("35000011234567"), new ImeiRecord(ListKind.Grey, Reason.Unverified, 1_900_000_000, 0)))
            .Append((Imei.Parse("49015420323751"), new ImeiRecord(ListKind.None, Reason.None, 0, 9)));
        Assert.That(StateDigest.Compute(withLocal), Is.EqualTo(StateDigest.Compute(State)));
        Assert.That(StateDigest.Compute(State).Records, Is.EqualTo(3));
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(2)]
    public void Any_difference_in_one_record_changes_the_digest(int field)
    {
        var changed = State.ToArray();
        (Imei imei, ImeiRecord record) = changed[2];
        changed[2] = field switch
        {
            0 => (imei, record with { DeadlineUnixSeconds = record.DeadlineUnixSeconds + 1 }),
            1 => (imei, record with { Sequence = record.Sequence + 1 }),
            _ => (Imei.FromKey(imei.Key + 1), record),
        };
        Assert.That(StateDigest.Compute(changed), Is.Not.EqualTo(StateDigest.Compute(State)));
    }
}
