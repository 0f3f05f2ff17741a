using System.Text;

namespace ImeiEir.Core.Tests;

/// <summary>Decide runs on every Diameter request: it must not allocate (STYLE.md 15: 0 bytes on the lookup path).</summary>
[NonParallelizable]
public class AllocationTests
{
    [Test]
    public void Decide_allocates_nothing()
    {
        var policy = DecisionPolicy.Create(new PolicyOptions
        {
            HomeNetworks = ["401", "25001"],
            M2mTacRanges = ["35000000-35099999", "86000000"],
            M2mImsiRanges = ["401017000000000-401017099999999", "4010990"],
            InvalidTacRanges = ["00000000", "99999990-99999999"],
        });
        var unknownPolicy = DecisionPolicy.Create(new PolicyOptions { UnknownAnswer = UnknownAnswer.EquipmentUnknown });
        long now = DateTimeOffset.Parse("2025-09-01T00:00:00Z").ToUnixTimeSeconds();

        // Inputs that reach every rule, built before measuring.
        byte[][] imsis = [[], Encoding.ASCII.GetBytes("401011234567890"), Encoding.ASCII.GetBytes("262011234567890"),
                          Encoding.ASCII.GetBytes("401017000012345"), Encoding.ASCII.GetBytes("40101x")];
        // The white record is paired (rule 2a): cloned for a home IMSI unless imsiPaired, white otherwise.
        ImeiRecord[] records = [default, new(ListKind.Black, Reason.Stolen), new(ListKind.White, Reason.Verified) { IsPaired = true },
                                new(ListKind.Grey, Reason.Unverified, (uint)now + 100), new(ListKind.Grey, Reason.Unverified, (uint)now - 100)];
        Imei[] imeis = [Imei.Parse("49015420323751"), Imei.Parse("35050000123456"), Imei.Parse("00000000123456")];
        ImeiParseResult[] parses = [ImeiParseResult.Valid, ImeiParseResult.BadCheckDigit];
        long[] times = [now, now - 365 * 86_400L];
        DecisionPolicy[] policies = [policy, unknownPolicy];

        int Run(int iterations)
        {
            int checksum = 0;
            for (int i = 0; i < iterations; i++)
            {
                ImeiRecord record = records[i % records.Length];
                Decision d = policies[(i / 7) % policies.Length].Decide(
                    found: (i & 1) == 0 || record.List != ListKind.None,
                    record,
                    imeis[i % imeis.Length],
                    parses[(i / 3) % parses.Length],
                    imsis[(i / 11) % imsis.Length],
                    times[(i / 13) % times.Length],
                    imsiPaired: (i / 17 & 1) == 0);
                checksum += (int)d.Rule + (d.CreatesProvisionalGrey ? 100 : 0) + (int)d.DeadlineUnixSeconds;
            }
            return checksum;
        }

        int[] rulesSeen = new int[Enum.GetValues<DecisionRule>().Length];
        for (int i = 0; i < 20_000; i++)
        {
            ImeiRecord record = records[i % records.Length];
            rulesSeen[(int)policies[(i / 7) % policies.Length].Decide((i & 1) == 0 || record.List != ListKind.None, record,
                imeis[i % imeis.Length], parses[(i / 3) % parses.Length], imsis[(i / 11) % imsis.Length], times[(i / 13) % times.Length],
                imsiPaired: (i / 17 & 1) == 0).Rule]++;
        }
        Assert.That(rulesSeen, Has.All.GreaterThan(0), "the workload should reach every rule");

        Run(100_000); // warm-up: tiered JIT, static constructors
        long before = GC.GetAllocatedBytesForCurrentThread();
        int result = Run(100_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.That(allocated, Is.Zero, $"Decide allocated {allocated} bytes over 100,000 calls (checksum {result})");
    }

    /// <summary>With a TAC database: the binary search and the device-type check allocate nothing either.</summary>
    [Test]
    public void Decide_with_a_TAC_table_allocates_nothing()
    {
        var policy = DecisionPolicy.Create(new PolicyOptions { RequireKnownTac = true, ExemptDeviceTypes = ["Module"] });
        ImeiEir.Core.Tac.TacTable table = ImeiEir.Core.Tac.TacTable.Build("1-0123456789abcdef",
            [.. Enumerable.Range(0, 10_000).Select(i => new ImeiEir.Core.Tac.TacEntry((uint)(35_000_000 + i * 3), "M", "X", i % 2 == 0 ? "Module" : "Smartphone"))]);
        long now = DateTimeOffset.Parse("2025-09-01T00:00:00Z").ToUnixTimeSeconds();
        byte[] imsi = Encoding.ASCII.GetBytes("401011234567890");
        // TACs in the table (module and smartphone) and not in it.
        Imei[] imeis = [Imei.FromKey(35_000_000UL * 1_000_000 + 1), Imei.FromKey(35_000_003UL * 1_000_000 + 1), Imei.FromKey(35_000_001UL * 1_000_000 + 1)];

        int Run(int iterations)
        {
            int checksum = 0;
            for (int i = 0; i < iterations; i++)
                checksum += (int)policy.Decide(false, default, imeis[i % imeis.Length], ImeiParseResult.Valid, imsi, now, table).Rule;
            return checksum;
        }

        int rules = Run(3);
        Assert.That(rules, Is.EqualTo((int)DecisionRule.ExemptM2m + (int)DecisionRule.UnknownProvisionalGrey + (int)DecisionRule.InvalidImei), "the workload should reach rules 4, 7 and 5");
        Run(100_000); // warm-up
        long before = GC.GetAllocatedBytesForCurrentThread();
        int result = Run(100_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(allocated, Is.Zero, $"Decide with a TAC table allocated {allocated} bytes over 100,000 calls (checksum {result})");
    }

    /// <summary>Every Diameter answer of an unknown IMEI enqueues a sighting: the queue must not allocate either.</summary>
    [Test]
    public void SightingQueue_enqueue_and_dequeue_allocate_nothing()
    {
        var queue = new SightingQueue(64);
        Sighting[] items = Enumerable.Range(0, 7)
            .Select(i => new Sighting(35209900176148UL + (ulong)i, new PackedImsi(401011234567890UL + (ulong)i, 15), 1_750_000_000u + (uint)i, (SightingKind)(1 + i % 3)))
            .ToArray();

        // Each round fills the queue past its capacity (the refused path) and drains it past empty (the empty path).
        long Run(int rounds)
        {
            long checksum = 0;
            for (int r = 0; r < rounds; r++)
            {
                for (int i = 0; i < 70; i++)
                    if (queue.TryEnqueue(items[i % items.Length])) checksum++;
                while (queue.TryDequeue(out Sighting s)) checksum += s.SeenUnixSeconds & 1;
                if (queue.TryDequeue(out _)) checksum--;
            }
            return checksum;
        }

        Run(2_000); // warm-up: tiered JIT
        long overflowsBefore = queue.Overflows;
        long before = GC.GetAllocatedBytesForCurrentThread();
        long result = Run(2_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.That(allocated, Is.Zero, $"TryEnqueue/TryDequeue allocated {allocated} bytes over 2,000 rounds (checksum {result})");
        Assert.That(queue.Overflows - overflowsBefore, Is.EqualTo(2_000L * (70 - 64)), "the measured rounds reached the full-queue path");
    }
}
