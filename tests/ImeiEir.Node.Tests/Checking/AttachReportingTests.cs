using ImeiEir.Core;
using ImeiEir.Node.Checking;

namespace ImeiEir.Node.Tests.Checking;

/// <summary>
/// What the answer path tells the registry about devices it already knows: a home subscriber on a grey device (for the
/// grey-start notice and the reminders) and on a black one (the blocked-attach notice), once a local day each.
/// </summary>
public sealed class AttachReportingTests
{
    private const string RegistryGrey = "35000041000007";
    private const string Roamer = "250011234567890";
    private TestNode _node = null!;
    private EquipmentChecker _checker = null!;

    [SetUp]
    public void SetUp()
    {
        _node = new TestNode();
        using (var session = _node.Store.NewSession())
        {
            // A grey record from the registry (sequence > 0), not a node's own provisional one.
            session.Upsert(Imei.Parse(RegistryGrey), new ImeiRecord(ListKind.Grey, Reason.Unverified,
                (uint)TestNode.Start.AddDays(20).ToUnixTimeSeconds(), sequence: 12));
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

    private Decision Check(string imei14, string imsi)
    {
        Assert.That(_checker.TryCheck(Imei.Parse(imei14), ImeiParseResult.Valid, System.Text.Encoding.ASCII.GetBytes(imsi), out Decision decision),
            "the test node's store is complete");
        return decision;
    }

    private List<(string Imei, string Imsi, SightingKind Kind)> Reported()
    {
        var reported = new List<(string, string, SightingKind)>();
        while (_node.Sightings.TryDequeue(out Sighting sighting))
            reported.Add((sighting.Imei.ToString()[..14], sighting.Imsi.ToString(), sighting.Kind));
        return reported;
    }

    [Test]
    public void A_home_subscriber_on_a_registry_grey_device_is_reported_once_a_day_and_each_new_subscriber_too()
    {
        for (int i = 0; i < 3; i++) Assert.That(Check(RegistryGrey, TestNode.HomeImsi).Rule, Is.EqualTo(DecisionRule.Grey));
        Check(RegistryGrey, "401019876543210");
        Assert.That(Reported(), Is.EqualTo(new[]
        {
            (RegistryGrey, TestNode.HomeImsi, SightingKind.GreyAttach), (RegistryGrey, "401019876543210", SightingKind.GreyAttach),
        }));

        _node.Time.Advance(TimeSpan.FromDays(1));
        Check(RegistryGrey, TestNode.HomeImsi);
        Check(RegistryGrey, TestNode.HomeImsi);
        Assert.That(Reported(), Is.EqualTo(new[] { (RegistryGrey, TestNode.HomeImsi, SightingKind.GreyAttach) }), "the next day, once");
    }

    [Test]
    public void A_black_device_refused_is_reported_once_a_day_for_a_home_subscriber_and_never_for_a_roamer()
    {
        Assert.That(Check(TestNode.Black, TestNode.HomeImsi).Status, Is.EqualTo(EquipmentStatus.Blacklisted));
        Check(TestNode.Black, TestNode.HomeImsi);
        Assert.That(Check(TestNode.Black, Roamer).Status, Is.EqualTo(EquipmentStatus.Blacklisted), "black for roamers too");
        Check(TestNode.Black, "");
        Assert.That(Reported(), Is.EqualTo(new[] { (TestNode.Black, TestNode.HomeImsi, SightingKind.BlackAttach) }));
    }

    [Test]
    public void A_grey_device_past_its_deadline_is_refused_and_reported_as_a_black_attach()
    {
        _node.Time.Advance(TimeSpan.FromDays(21));
        Assert.That(Check(RegistryGrey, TestNode.HomeImsi).Rule, Is.EqualTo(DecisionRule.GreyExpired));
        Assert.That(Reported(), Is.EqualTo(new[] { (RegistryGrey, TestNode.HomeImsi, SightingKind.BlackAttach) }));
    }

    [Test]
    public void A_white_device_is_reported_as_a_home_pair_once_a_day_per_subscriber_and_never_for_a_roamer()
    {
        for (int i = 0; i < 3; i++) Assert.That(Check(TestNode.White, TestNode.HomeImsi).Rule, Is.EqualTo(DecisionRule.White));
        Check(TestNode.White, "401019876543210");
        Check(TestNode.White, Roamer);
        Check(TestNode.White, "");
        Assert.That(Reported(), Is.EqualTo(new[]
        {
            (TestNode.White, TestNode.HomeImsi, SightingKind.HomeAttach), (TestNode.White, "401019876543210", SightingKind.HomeAttach),
        }));

        _node.Time.Advance(TimeSpan.FromDays(1));
        Check(TestNode.White, TestNode.HomeImsi);
        Check(TestNode.White, TestNode.HomeImsi);
        Assert.That(Reported(), Is.EqualTo(new[] { (TestNode.White, TestNode.HomeImsi, SightingKind.HomeAttach) }), "the next day, once");
    }
}
