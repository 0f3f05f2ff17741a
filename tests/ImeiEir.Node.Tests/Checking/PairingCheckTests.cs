using System.Text;
using ImeiEir.Core;
using ImeiEir.Node.Checking;
using ImeiEir.Store;

namespace ImeiEir.Node.Tests.Checking;

/// <summary>
/// Rule 2a at the node (docs/ARCHITECTURE.md): the checker reads the pair table only for a paired record and answers
/// a paired IMSI by the list, another home IMSI BLACKLISTED (cloned), a roamer by rule 4, no IMSI by the list;
/// allocation-free either way.
/// </summary>
[NonParallelizable]
public sealed class PairingCheckTests
{
    private const string PairedGrey = "35693803564380"; // TestNode.Grey
    private const string PairedUnlisted = "49015420323751";
    private static readonly byte[] s_a = Encoding.ASCII.GetBytes("401011111111111");
    private static readonly byte[] s_b = Encoding.ASCII.GetBytes("401012222222222");
    private static readonly byte[] s_c = Encoding.ASCII.GetBytes("401013333333333");
    private static readonly byte[] s_roamer = Encoding.ASCII.GetBytes("262011234567890");
    private TestNode _node = null!;
    private EquipmentChecker _checker = null!;

    [SetUp]
    public void SetUp()
    {
        _node = new TestNode();
        PackedImsi.TryPack(s_a, out PackedImsi a);
        using (ImeiStoreSession session = _node.Store.NewSession())
        {
            ulong sequence = 100;
            foreach (string imei in new[] { TestNode.White, PairedGrey, PairedUnlisted })
                ChangeApplier.Apply(session, new Change { Sequence = sequence++, ImeiKey = Imei.Parse(imei).Key, Op = ChangeOp.Pair, Imsi = a, Origin = ChangeOrigin.Admin });
        }
        _checker = new EquipmentChecker(_node.Store.NewSession(), DecisionPolicy.Create(new PolicyOptions()), new RegimeClock(_node.Time),
            _node.Sightings, _node.Attaches);
    }

    [TearDown]
    public void TearDown()
    {
        _checker.Dispose();
        _node.Dispose();
    }

    private Decision Check(string imei, byte[] imsi)
    {
        Assert.That(_checker.TryCheck(Imei.Parse(imei), ImeiParseResult.Valid, imsi, out Decision decision), Is.True);
        return decision;
    }

    [Test]
    public void The_paired_IMSI_gets_the_list_and_other_home_IMSIs_get_blacklisted_as_cloned()
    {
        Assert.That(Check(TestNode.White, s_a).Rule, Is.EqualTo(DecisionRule.White));
        foreach (byte[] other in new[] { s_b, s_c })
        {
            Decision cloned = Check(TestNode.White, other);
            Assert.That((cloned.Status, cloned.Reason, cloned.Rule), Is.EqualTo((EquipmentStatus.Blacklisted, Reason.Cloned, DecisionRule.Cloned)));
        }
        Assert.That(Check(PairedGrey, s_a).Rule, Is.EqualTo(DecisionRule.Grey));
        Assert.That(Check(PairedGrey, s_b).Rule, Is.EqualTo(DecisionRule.Cloned));
    }

    [Test]
    public void A_roamer_gets_rule_4_and_an_attach_without_an_IMSI_the_list()
    {
        Assert.That(Check(PairedGrey, s_roamer).Rule, Is.EqualTo(DecisionRule.ExemptRoamer));
        Assert.That(Check(PairedGrey, []).Rule, Is.EqualTo(DecisionRule.Grey));
        Assert.That(Check(TestNode.White, []).Rule, Is.EqualTo(DecisionRule.White));
    }

    [Test]
    public void An_unpaired_IMEI_is_not_affected() =>
        Assert.That(Check(TestNode.Black, s_b).Rule, Is.EqualTo(DecisionRule.Black));

    [Test]
    public void A_provisional_grey_record_of_a_paired_IMEI_keeps_the_pairing()
    {
        Assert.That(Check(PairedUnlisted, s_a).Rule, Is.EqualTo(DecisionRule.UnknownProvisionalGrey));
        Assert.That(Check(PairedUnlisted, s_a).Rule, Is.EqualTo(DecisionRule.Grey), "the provisional record was stored");
        Assert.That(Check(PairedUnlisted, s_b).Rule, Is.EqualTo(DecisionRule.Cloned), "and it is still paired");
    }

    [Test]
    public void A_paired_check_allocates_nothing()
    {
        Imei[] imeis = [Imei.Parse(TestNode.White), Imei.Parse(PairedGrey), Imei.Parse(TestNode.Black)];
        byte[][] imsis = [s_a, s_b, s_c, s_roamer];

        int Run(int count)
        {
            int checksum = 0;
            for (int i = 0; i < count; i++)
            {
                _checker.TryCheck(imeis[i % imeis.Length], ImeiParseResult.Valid, imsis[i % imsis.Length], out Decision d);
                checksum += (int)d.Rule;
            }
            return checksum;
        }

        Run(20_000); // warm-up, and the once-a-day attach reports are made
        long before = GC.GetAllocatedBytesForCurrentThread();
        int result = Run(20_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(allocated, Is.Zero, $"paired checks allocated {allocated} bytes over 20,000 checks (checksum {result})");
    }
}
