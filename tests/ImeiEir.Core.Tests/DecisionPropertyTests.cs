using FsCheck;
using FsCheck.Fluent;

namespace ImeiEir.Core.Tests;

public class DecisionPropertyTests
{
    private static readonly DecisionPolicy[] s_policies =
    [
        DecisionPolicy.Create(new PolicyOptions()),
        DecisionPolicy.Create(new PolicyOptions { UnknownAnswer = UnknownAnswer.EquipmentUnknown }),
        DecisionPolicy.Create(new PolicyOptions
        {
            HomeNetworks = ["401", "25001", "310260"],
            M2mTacRanges = ["35000000-35099999", "86000000"],
            M2mImsiRanges = ["401017000000000-401017099999999", "4010990"],
            InvalidTacRanges = ["00000000-00000099", "99999999"],
            GracePeriod = TimeSpan.MaxValue,
            RegimeStart = DateTimeOffset.MinValue,
        }),
    ];

    private sealed record Input(int Policy, bool Found, ImeiRecord Record, ulong Key, ImeiParseResult Parse, byte[] Imsi, long Now)
    {
        public Decision Decide() => s_policies[Policy].Decide(Found, Record, Imei.FromKey(Key), Parse, Imsi, Now);
    }

    private static Arbitrary<Input> Inputs =>
        Arb.From(
            from policy in Gen.Choose(0, s_policies.Length - 1)
            from found in ArbMap.Default.GeneratorFor<bool>()
            from record in Generators.Record
            from key in Generators.ImeiKey
            from parse in Generators.Parse
            from imsi in Generators.Imsi
            from now in Generators.Time
            select new Input(policy, found, record, key, parse, imsi, now));

    [FsCheck.NUnit.Property(MaxTest = 2000)]
    public Property Decide_never_throws_and_a_black_record_is_always_blacklisted() =>
        Prop.ForAll(Inputs, input =>
        {
            Decision d = input.Decide();
            bool black = input.Found && input.Record.List == ListKind.Black;
            return !black || d.Status == EquipmentStatus.Blacklisted;
        });

    [FsCheck.NUnit.Property(MaxTest = 2000)]
    public Property A_decision_is_consistent_with_its_rule() =>
        Prop.ForAll(Inputs, input =>
        {
            Decision d = input.Decide();
            EquipmentStatus expected = d.Rule switch
            {
                DecisionRule.Black or DecisionRule.InvalidImei or DecisionRule.GreyExpired => EquipmentStatus.Blacklisted,
                DecisionRule.White or DecisionRule.ExemptRoamer or DecisionRule.ExemptM2m or DecisionRule.UnknownLegacy => EquipmentStatus.Whitelisted,
                _ => EquipmentStatus.Greylisted,
            };
            Assert.That(d.Status, Is.EqualTo(expected), d.ToString());
            Assert.That(d.IsEquipmentUnknown, Is.EqualTo(d.Rule == DecisionRule.UnknownEquipment));
            Assert.That(d.CreatesProvisionalGrey, Is.EqualTo(d.Rule == DecisionRule.UnknownProvisionalGrey));
            Assert.That(d.IsEquipmentUnknown && d.CreatesProvisionalGrey, Is.False);
            if (d.CreatesProvisionalGrey)
            {
                Assert.That(d.DeadlineUnixSeconds, Is.GreaterThan(0u));
                Assert.That((long)d.DeadlineUnixSeconds, Is.GreaterThan(input.Now).Or.EqualTo(uint.MaxValue).Or.EqualTo(1));
                Assert.That(d.ProvisionalRecord, Is.EqualTo(new ImeiRecord(ListKind.Grey, Reason.Unverified, d.DeadlineUnixSeconds, 0)));
            }
            else
            {
                Assert.That(d.ProvisionalRecord, Is.EqualTo(default(ImeiRecord)));
            }
            if (d.Rule is DecisionRule.Black or DecisionRule.White or DecisionRule.Grey)
                Assert.That(d.Reason, Is.EqualTo(input.Record.Reason), "a record's rule keeps the record's reason");
        });

    [FsCheck.NUnit.Property(MaxTest = 1000)]
    public Property A_known_roamer_is_whitelisted_unless_black_or_white() =>
        Prop.ForAll(Inputs, input =>
        {
            var policy = s_policies[input.Policy];
            bool listed = input.Found && input.Record.List is ListKind.Black or ListKind.White;
            bool valid = input.Parse is ImeiParseResult.Valid or ImeiParseResult.BadCheckDigit;
            return !valid || listed || !policy.IsInboundRoamer(input.Imsi)
                || input.Decide().Rule == DecisionRule.ExemptRoamer;
        });

    [FsCheck.NUnit.Property(MaxTest = 1000)]
    public Property Deciding_twice_gives_the_same_answer() =>
        Prop.ForAll(Inputs, input => input.Decide() == input.Decide());
}
