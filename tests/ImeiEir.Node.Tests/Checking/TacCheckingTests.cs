using System.Text;
using ImeiEir.Core;
using ImeiEir.Core.Tac;
using ImeiEir.Node.Checking;

namespace ImeiEir.Node.Tests.Checking;

/// <summary>
/// The node's checks consult the TAC database in its slot: nothing before one is published, the new table at once
/// after (one volatile reference), and the check stays allocation-free with it.
/// </summary>
[NonParallelizable]
public sealed class TacCheckingTests
{
    private const string UnknownTacImei = "12345678000001";
    private const string ModuleImei = "86000012000001";
    private static readonly byte[] s_home = Encoding.ASCII.GetBytes(TestNode.HomeImsi);
    private TestNode _node = null!;
    private TacTableSlot _slot = null!;
    private EquipmentChecker _checker = null!;

    [SetUp]
    public void SetUp()
    {
        _node = new TestNode();
        _slot = new TacTableSlot();
        _checker = new EquipmentChecker(_node.Store.NewSession(),
            DecisionPolicy.Create(new PolicyOptions { RequireKnownTac = true, ExemptDeviceTypes = ["Module"], UnknownAnswer = UnknownAnswer.EquipmentUnknown }),
            new RegimeClock(_node.Time), _node.Sightings, _node.Attaches, _slot);
    }

    [TearDown]
    public void TearDown()
    {
        _checker.Dispose();
        _node.Dispose();
    }

    private DecisionRule Peek(string imei)
    {
        Assert.That(_checker.TryPeek(Imei.Parse(imei), ImeiParseResult.Valid, out Decision decision, out _, out _), Is.True);
        return decision.Rule;
    }

    [Test]
    public void A_published_table_is_used_by_the_next_check()
    {
        Assert.That(Peek(UnknownTacImei), Is.EqualTo(DecisionRule.UnknownEquipment), "no table yet: nothing changes");
        _slot.Publish(TacTable.Build("1-0123456789abcdef", [new TacEntry(86000012, "Quectel", "BG96", "Module")]));
        Assert.That(Peek(UnknownTacImei), Is.EqualTo(DecisionRule.InvalidImei));
        Assert.That(Peek(ModuleImei), Is.EqualTo(DecisionRule.ExemptM2m));
    }

    [Test]
    public void A_check_with_a_TAC_table_allocates_nothing()
    {
        _slot.Publish(TacTable.Build("1-0123456789abcdef",
            [.. Enumerable.Range(0, 10_000).Select(i => new TacEntry((uint)(86_000_000 + i * 12), "M", "X", i % 2 == 0 ? "Module" : "Phone"))]));
        Imei[] imeis = [Imei.Parse(UnknownTacImei), Imei.Parse(ModuleImei), Imei.Parse(TestNode.White), Imei.Parse(TestNode.Black)];

        int Run(int count)
        {
            int checksum = 0;
            for (int i = 0; i < count; i++)
            {
                _checker.TryCheck(imeis[i % imeis.Length], ImeiParseResult.Valid, s_home, out Decision d);
                checksum += (int)d.Rule;
            }
            return checksum;
        }

        Run(20_000); // warm-up, and the once-a-day attach reports are made
        long before = GC.GetAllocatedBytesForCurrentThread();
        int result = Run(20_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(allocated, Is.Zero, $"TryCheck with a TAC table allocated {allocated} bytes over 20,000 checks (checksum {result})");
    }
}
