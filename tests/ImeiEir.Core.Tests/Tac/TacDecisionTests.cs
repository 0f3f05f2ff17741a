using System.Text;
using ImeiEir.Core.Tac;

namespace ImeiEir.Core.Tests.Tac;

/// <summary>
/// docs/ARCHITECTURE.md, rules 4 and 5 by the TAC database: Policy:ExemptDeviceTypes exempts as M2M,
/// Policy:RequireKnownTac makes a TAC the database lacks an invalid IMEI; black and white records come first, and
/// without a database nothing changes.
/// </summary>
public class TacDecisionTests
{
    private static readonly long s_now = new DateTimeOffset(2025, 9, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
    private const string HomeImsi = "401011234567890";
    private const string RoamerImsi = "262011234567890";
    private const string KnownPhone = "49015420323751";    // TAC 49015420: a smartphone in the table
    private const string KnownModule = "86000012000001";   // TAC 86000012: an IoT device in the table
    private const string UnknownTac = "12345678000001";    // TAC 12345678: not in the table

    private static readonly TacTable s_table = TacTable.Build("1-0123456789abcdef",
    [
        new TacEntry(49015420, "Acme", "Phone 1", "Smartphone"),
        new TacEntry(86000012, "Quectel", "BG96", "IoT Device"),
    ]);

    private static readonly DecisionPolicy s_strict = DecisionPolicy.Create(new PolicyOptions
    {
        RequireKnownTac = true,
        ExemptDeviceTypes = ["Module", "iot device"],
    });

    private static Decision Decide(string imei, ImeiRecord? record = null, string imsi = HomeImsi, DecisionPolicy? policy = null, TacTable? table = null, bool noTable = false)
    {
        ImeiParseResult parse = Imei.TryParse(imei, out Imei key);
        return (policy ?? s_strict).Decide(record.HasValue, record.GetValueOrDefault(), key, parse, Encoding.ASCII.GetBytes(imsi), s_now,
            noTable ? null : table ?? s_table);
    }

    [Test]
    public void A_TAC_the_database_lacks_is_an_invalid_imei_when_required()
    {
        Decision d = Decide(UnknownTac);
        Assert.That((d.Status, d.Reason, d.Rule), Is.EqualTo((EquipmentStatus.Blacklisted, Reason.InvalidImei, DecisionRule.InvalidImei)));
    }

    [Test]
    public void A_TAC_the_database_has_goes_on_to_the_later_rules() =>
        Assert.That(Decide(KnownPhone).Rule, Is.EqualTo(DecisionRule.UnknownProvisionalGrey));

    [Test]
    public void Without_a_database_RequireKnownTac_changes_nothing() =>
        Assert.That(Decide(UnknownTac, noTable: true).Rule, Is.EqualTo(DecisionRule.UnknownProvisionalGrey));

    [Test]
    public void Off_by_default_an_unknown_TAC_is_not_refused() =>
        Assert.That(Decide(UnknownTac, policy: DecisionPolicy.Create(new PolicyOptions())).Rule, Is.EqualTo(DecisionRule.UnknownProvisionalGrey));

    [Test]
    public void A_white_record_beats_an_unknown_TAC()
    {
        // Rule 3 comes before rule 5: a device the registry whitelisted is served even if the GSMA lacks its TAC.
        Decision d = Decide(UnknownTac, new ImeiRecord(ListKind.White, Reason.Verified, 0, 5));
        Assert.That(d.Rule, Is.EqualTo(DecisionRule.White));
    }

    [Test]
    public void An_inbound_roamer_with_an_unknown_TAC_is_exempt() =>
        Assert.That(Decide(UnknownTac, imsi: RoamerImsi).Rule, Is.EqualTo(DecisionRule.ExemptRoamer));

    [Test]
    public void An_unknown_TAC_beats_a_grey_record()
    {
        Decision d = Decide(UnknownTac, new ImeiRecord(ListKind.Grey, Reason.Unverified, (uint)s_now + 1000, 5));
        Assert.That(d.Rule, Is.EqualTo(DecisionRule.InvalidImei));
    }

    [Test]
    public void An_exempt_device_type_is_whitelisted_as_M2M_case_ignored()
    {
        Decision d = Decide(KnownModule);
        Assert.That((d.Status, d.Reason, d.Rule), Is.EqualTo((EquipmentStatus.Whitelisted, Reason.None, DecisionRule.ExemptM2m)));
    }

    [Test]
    public void An_exempt_device_type_beats_a_grey_record_but_not_a_black_one()
    {
        Assert.That(Decide(KnownModule, new ImeiRecord(ListKind.Grey, Reason.Unverified, (uint)s_now - 10, 5)).Rule, Is.EqualTo(DecisionRule.ExemptM2m));
        Assert.That(Decide(KnownModule, new ImeiRecord(ListKind.Black, Reason.Stolen, 0, 5)).Rule, Is.EqualTo(DecisionRule.Black));
    }

    [Test]
    public void Without_exempt_device_types_a_module_is_not_exempt() =>
        Assert.That(Decide(KnownModule, policy: DecisionPolicy.Create(new PolicyOptions())).Rule, Is.EqualTo(DecisionRule.UnknownProvisionalGrey));

    [Test]
    public void A_blank_exempt_device_type_is_refused_naming_the_key()
    {
        var options = new PolicyOptions { ExemptDeviceTypes = ["Module", " "] };
        Assert.That(options.Validate(), Is.EqualTo(new[] { "Policy:ExemptDeviceTypes[1]: must name a device type, e.g. Module" }));
    }
}
