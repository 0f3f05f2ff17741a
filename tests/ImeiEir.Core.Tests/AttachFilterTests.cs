using FsCheck;
using FsCheck.Fluent;

namespace ImeiEir.Core.Tests;

/// <summary>The once-a-day filter of grey and black attaches: silent only for what it has seen that local day.</summary>
public class AttachFilterTests
{
    private static readonly PackedImsi Ru = new(401011234567890, 15), Kk = new(401019876543210, 15);

    // 2026-11-24 18:59:59Z is 23:59:59 in Almaty; one second later the local day turns.
    private const long BeforeLocalMidnight = 1_795_546_799;

    [Test]
    public void An_attach_is_reported_once_a_local_day_per_device_subscriber_and_kind()
    {
        var filter = new AttachFilter(1024);
        const ulong device = 35_209_900_176_148;
        Assert.That(filter.ShouldReport(device, Ru, SightingKind.BlackAttach, BeforeLocalMidnight - 3600), Is.True);
        Assert.That(filter.ShouldReport(device, Ru, SightingKind.BlackAttach, BeforeLocalMidnight), Is.False, "later the same local day");
        Assert.That(filter.ShouldReport(device, Kk, SightingKind.BlackAttach, BeforeLocalMidnight), Is.True, "another subscriber");
        Assert.That(filter.ShouldReport(device, Ru, SightingKind.GreyAttach, BeforeLocalMidnight), Is.True, "another kind");
        Assert.That(filter.ShouldReport(device + 1, Ru, SightingKind.BlackAttach, BeforeLocalMidnight), Is.True, "another device");
        Assert.That(filter.ShouldReport(device, Ru, SightingKind.BlackAttach, BeforeLocalMidnight + 1), Is.True, "past local midnight (19:00 UTC)");
        Assert.That(filter.ShouldReport(device, Ru, SightingKind.BlackAttach, BeforeLocalMidnight + 3600), Is.False);
    }

    [TestCase(1, 2)]
    [TestCase(3, 4)]
    [TestCase(262_144, 262_144)]
    [TestCase(262_145, 524_288)]
    public void The_table_is_a_power_of_two_of_at_least_2(int requested, int expected) =>
        Assert.That(new AttachFilter(requested).Slots, Is.EqualTo(expected));

    [TestCase(0)]
    [TestCase(-1)]
    [TestCase((1 << 28) + 1)]
    public void A_size_out_of_range_is_refused(int slots) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new AttachFilter(slots));

    /// <summary>However small the table, an attach not yet seen that day is reported: collisions cost repeats, never silence.</summary>
    [Test]
    public void The_first_attach_of_a_pair_on_a_day_is_always_reported_however_full_the_table()
    {
        Prop.ForAll(Arb.From(Gen.ListOf(Gen.Choose(0, 5000)).Select(list => list.Distinct().ToArray())), devices =>
        {
            var filter = new AttachFilter(16);
            var reported = new HashSet<int>();
            foreach (int d in devices.Concat(devices))
            {
                bool report = filter.ShouldReport(35_000_000_000_000UL + (ulong)d, Ru, SightingKind.GreyAttach, BeforeLocalMidnight);
                if (!reported.Contains(d) && !report) return false;
                if (report) reported.Add(d);
            }
            return reported.SetEquals(devices);
        }).QuickCheckThrowOnFailure();
    }

    [Test]
    public void Asking_allocates_nothing()
    {
        var filter = new AttachFilter(1 << 12);
        int Run(int n)
        {
            int yes = 0;
            for (int i = 0; i < n; i++)
                if (filter.ShouldReport((ulong)(i % 10_000), Ru, SightingKind.BlackAttach, BeforeLocalMidnight + i)) yes++;
            return yes;
        }
        Run(100_000);
        long before = GC.GetAllocatedBytesForCurrentThread();
        int reported = Run(100_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(allocated, Is.Zero, $"allocated {allocated} bytes over 100,000 calls ({reported} reported)");
    }
}
