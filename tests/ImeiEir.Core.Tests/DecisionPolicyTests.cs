using System.Text;

namespace ImeiEir.Core.Tests;

/// <summary>One named test per rule of docs/ARCHITECTURE.md, "Decision rules" and per edge between rules.</summary>
public class DecisionPolicyTests
{
    // Regime start 2025-05-25 00:00 +05:00 = 2025-05-24 19:00 UTC.
    private static readonly long s_regimeStart = new DateTimeOffset(2025, 5, 24, 19, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
    private static readonly long s_now = s_regimeStart + 90 * 86_400L;
    private const long Grace = 30 * 86_400L;

    private const string HomeImsi = "401011234567890";
    private const string HomeMccMncImsi = "250011234567890";
    private const string OtherMncImsi = "250021234567890";
    private const string RoamerImsi = "262011234567890";
    private const string M2mImsi = "401017000012345";
    private const string M2mPrefixImsi = "401099012345678";

    private const string Ordinary = "49015420323751";     // TAC 49015420, check digit 8
    private const string M2mTacImei = "35050000123456";   // TAC 35050000
    private const string ZeroTacImei = "00000000123456";

    private static readonly DecisionPolicy s_policy = DecisionPolicy.Create(new PolicyOptions
    {
        HomeNetworks = ["401", "25001", "310260"],
        M2mTacRanges = ["35000000-35099999"],
        M2mImsiRanges = ["401017000000000-401017099999999", "4010990"],
        InvalidTacRanges = ["00000000", "99999990-99999999"],
    });

    private static Decision Decide(ImeiRecord? record, string imei, string imsi = HomeImsi, long? now = null, DecisionPolicy? policy = null,
        bool imsiPaired = false)
    {
        ImeiParseResult parse = Imei.TryParse(imei, out Imei key);
        Assert.That(parse, Is.Not.EqualTo(ImeiParseResult.Malformed), "rule 1 is the caller's");
        return (policy ?? s_policy).Decide(record.HasValue, record.GetValueOrDefault(), key, parse, Encoding.ASCII.GetBytes(imsi), now ?? s_now,
            imsiPaired: imsiPaired);
    }

    private static void AssertDecision(Decision d, EquipmentStatus status, Reason reason, DecisionRule rule, uint deadline = 0)
    {
        Assert.Multiple(() =>
        {
            Assert.That(d.Status, Is.EqualTo(status), "status");
            Assert.That(d.Reason, Is.EqualTo(reason), "reason");
            Assert.That(d.Rule, Is.EqualTo(rule), "rule");
            Assert.That(d.DeadlineUnixSeconds, Is.EqualTo(deadline), "deadline");
            Assert.That(d.IsEquipmentUnknown, Is.EqualTo(rule == DecisionRule.UnknownEquipment), "equipment unknown");
            Assert.That(d.CreatesProvisionalGrey, Is.EqualTo(rule == DecisionRule.UnknownProvisionalGrey), "provisional grey");
        });
    }

    private static ImeiRecord Black(Reason reason = Reason.Stolen) => new(ListKind.Black, reason, 0, 7);
    private static ImeiRecord White(Reason reason = Reason.Verified) => new(ListKind.White, reason, 0, 8);
    private static ImeiRecord Grey(uint deadline, Reason reason = Reason.Unverified) => new(ListKind.Grey, reason, deadline, 9);
    private static uint At(long unixSeconds) => checked((uint)unixSeconds);

    // ---- rule 2: black --------------------------------------------------------------------------------------

    [Test]
    public void Black_record_is_blacklisted_with_the_records_reason() =>
        AssertDecision(Decide(Black(Reason.Counterfeit), Ordinary), EquipmentStatus.Blacklisted, Reason.Counterfeit, DecisionRule.Black);

    [Test]
    public void Black_beats_an_inbound_roamer() =>
        AssertDecision(Decide(Black(), Ordinary, RoamerImsi), EquipmentStatus.Blacklisted, Reason.Stolen, DecisionRule.Black);

    [Test]
    public void Black_beats_M2M_ranges()
    {
        AssertDecision(Decide(Black(), M2mTacImei), EquipmentStatus.Blacklisted, Reason.Stolen, DecisionRule.Black);
        AssertDecision(Decide(Black(), Ordinary, M2mImsi), EquipmentStatus.Blacklisted, Reason.Stolen, DecisionRule.Black);
    }

    [Test]
    public void Black_before_the_regime_start_is_still_black() =>
        AssertDecision(Decide(Black(), Ordinary, now: s_regimeStart - 1), EquipmentStatus.Blacklisted, Reason.Stolen, DecisionRule.Black);

    // ---- rule 2a: a paired IMEI ----------------------------------------------------------------------------

    private static ImeiRecord Paired(ImeiRecord record) => record with { IsPaired = true };

    [Test]
    public void Paired_IMEI_is_answered_by_its_list_for_a_paired_IMSI()
    {
        AssertDecision(Decide(Paired(White()), Ordinary, imsiPaired: true), EquipmentStatus.Whitelisted, Reason.Verified, DecisionRule.White);
        AssertDecision(Decide(Paired(Grey(At(s_now + 10))), Ordinary, imsiPaired: true), EquipmentStatus.Greylisted, Reason.Unverified, DecisionRule.Grey, At(s_now + 10));
    }

    [Test]
    public void Paired_IMEI_is_blacklisted_as_cloned_for_any_other_home_IMSI()
    {
        AssertDecision(Decide(Paired(White()), Ordinary), EquipmentStatus.Blacklisted, Reason.Cloned, DecisionRule.Cloned);
        AssertDecision(Decide(Paired(White()), Ordinary, HomeMccMncImsi), EquipmentStatus.Blacklisted, Reason.Cloned, DecisionRule.Cloned);
        AssertDecision(Decide(Paired(Grey(At(s_now + 10))), Ordinary), EquipmentStatus.Blacklisted, Reason.Cloned, DecisionRule.Cloned);
    }

    [Test]
    public void Paired_IMEI_is_answered_by_rule_4_for_a_roamer() =>
        AssertDecision(Decide(Paired(Grey(At(s_now + 10))), Ordinary, RoamerImsi), EquipmentStatus.Whitelisted, Reason.None, DecisionRule.ExemptRoamer);

    [Test]
    public void Paired_IMEI_is_answered_by_its_list_without_an_IMSI()
    {
        AssertDecision(Decide(Paired(White()), Ordinary, ""), EquipmentStatus.Whitelisted, Reason.Verified, DecisionRule.White);
        AssertDecision(Decide(Paired(White()), Ordinary, "not-an-imsi"), EquipmentStatus.Whitelisted, Reason.Verified, DecisionRule.White);
    }

    [Test]
    public void Black_beats_a_paired_IMSI() =>
        AssertDecision(Decide(Paired(Black()), Ordinary, imsiPaired: true), EquipmentStatus.Blacklisted, Reason.Stolen, DecisionRule.Black);

    [Test]
    public void Paired_IMEI_on_no_list_is_unknown_for_its_IMSI_and_cloned_for_others()
    {
        var tombstone = new ImeiRecord(ListKind.None, Reason.Admin, 0, 12) { IsPaired = true };
        AssertDecision(Decide(tombstone, Ordinary, imsiPaired: true), EquipmentStatus.Greylisted, Reason.Unverified, DecisionRule.UnknownProvisionalGrey, At(s_now + Grace));
        AssertDecision(Decide(tombstone, Ordinary), EquipmentStatus.Blacklisted, Reason.Cloned, DecisionRule.Cloned);
    }

    [Test]
    public void An_unpaired_IMEI_ignores_the_paired_argument() =>
        AssertDecision(Decide(White(), Ordinary, imsiPaired: false), EquipmentStatus.Whitelisted, Reason.Verified, DecisionRule.White);

    // ---- rule 3: white --------------------------------------------------------------------------------------

    [Test]
    public void White_record_is_whitelisted_with_the_records_reason() =>
        AssertDecision(Decide(White(Reason.Imported), Ordinary), EquipmentStatus.Whitelisted, Reason.Imported, DecisionRule.White);

    [Test]
    public void White_beats_an_invalid_TAC() =>
        AssertDecision(Decide(White(), ZeroTacImei), EquipmentStatus.Whitelisted, Reason.Verified, DecisionRule.White);

    [Test]
    public void White_beats_a_bad_check_digit() =>
        AssertDecision(Decide(White(), "490154203237519"), EquipmentStatus.Whitelisted, Reason.Verified, DecisionRule.White);

    // ---- rule 4: exempt -------------------------------------------------------------------------------------

    [Test]
    public void Inbound_roamer_with_an_unknown_IMEI_is_whitelisted_without_a_provisional_record()
    {
        Decision d = Decide(null, Ordinary, RoamerImsi);
        AssertDecision(d, EquipmentStatus.Whitelisted, Reason.None, DecisionRule.ExemptRoamer);
        Assert.That(d.ProvisionalRecord, Is.EqualTo(default(ImeiRecord)));
    }

    [Test]
    public void Inbound_roamer_with_a_grey_record_is_whitelisted()
    {
        AssertDecision(Decide(Grey(At(s_now + 10)), Ordinary, RoamerImsi), EquipmentStatus.Whitelisted, Reason.None, DecisionRule.ExemptRoamer);
        AssertDecision(Decide(Grey(At(s_now - 10)), Ordinary, RoamerImsi), EquipmentStatus.Whitelisted, Reason.None, DecisionRule.ExemptRoamer);
    }

    [Test]
    public void Inbound_roamer_beats_an_invalid_IMEI_because_rule_4_comes_before_rule_5()
    {
        AssertDecision(Decide(null, ZeroTacImei, RoamerImsi), EquipmentStatus.Whitelisted, Reason.None, DecisionRule.ExemptRoamer);
        AssertDecision(Decide(null, "490154203237519", RoamerImsi), EquipmentStatus.Whitelisted, Reason.None, DecisionRule.ExemptRoamer);
    }

    [Test]
    public void Home_network_given_as_MCC_covers_every_MNC()
    {
        AssertDecision(Decide(null, Ordinary, "401771234567890"), EquipmentStatus.Greylisted, Reason.Unverified, DecisionRule.UnknownProvisionalGrey, At(s_now + Grace));
        Assert.That(s_policy.IsHomeSubscriber(Encoding.ASCII.GetBytes("40177123456")), Is.True);
    }

    [Test]
    public void Home_network_given_as_MCC_MNC_covers_only_that_MNC()
    {
        AssertDecision(Decide(null, Ordinary, HomeMccMncImsi), EquipmentStatus.Greylisted, Reason.Unverified, DecisionRule.UnknownProvisionalGrey, At(s_now + Grace));
        AssertDecision(Decide(null, Ordinary, OtherMncImsi), EquipmentStatus.Whitelisted, Reason.None, DecisionRule.ExemptRoamer);
    }

    [Test]
    public void Home_network_given_as_MCC_and_3_digit_MNC()
    {
        Assert.That(s_policy.IsHomeSubscriber(Encoding.ASCII.GetBytes("310260123456789")), Is.True);
        Assert.That(s_policy.IsHomeSubscriber(Encoding.ASCII.GetBytes("310261123456789")), Is.False);
        Assert.That(s_policy.IsInboundRoamer(Encoding.ASCII.GetBytes("310261123456789")), Is.True);
    }

    [Test]
    public void Unknown_IMSI_means_the_regime_applies()
    {
        Decision d = Decide(null, Ordinary, imsi: "");
        AssertDecision(d, EquipmentStatus.Greylisted, Reason.Unverified, DecisionRule.UnknownProvisionalGrey, At(s_now + Grace));
        Assert.That(s_policy.IsHomeSubscriber([]), Is.False);
        Assert.That(s_policy.IsInboundRoamer([]), Is.False);
    }

    [TestCase("2620112345678901", TestName = "An IMSI of 16 digits counts as unknown, not as a roamer")]
    [TestCase("2620", TestName = "An IMSI of 4 digits counts as unknown, not as a roamer")]
    [TestCase("26201x234567890", TestName = "An IMSI with a letter counts as unknown, not as a roamer")]
    [TestCase("imsi-262011234567890", TestName = "An IMSI with its SUPI prefix counts as unknown, not as a roamer")]
    public void Invalid_IMSI_counts_as_unknown(string imsi)
    {
        AssertDecision(Decide(null, Ordinary, imsi), EquipmentStatus.Greylisted, Reason.Unverified, DecisionRule.UnknownProvisionalGrey, At(s_now + Grace));
        Assert.That(s_policy.IsInboundRoamer(Encoding.ASCII.GetBytes(imsi)), Is.False);
    }

    [TestCase("35000000000000", TestName = "M2M TAC range includes its first TAC")]
    [TestCase("35099999999999", TestName = "M2M TAC range includes its last TAC")]
    [TestCase("35050000123456", TestName = "M2M TAC range includes a TAC inside")]
    public void M2M_TAC_range_is_exempt(string imei) =>
        AssertDecision(Decide(null, imei), EquipmentStatus.Whitelisted, Reason.None, DecisionRule.ExemptM2m);

    [TestCase("34999999999999", TestName = "The TAC just below an M2M TAC range is not M2M")]
    [TestCase("35100000000000", TestName = "The TAC just above an M2M TAC range is not M2M")]
    public void Just_outside_the_M2M_TAC_range_the_regime_applies(string imei) =>
        AssertDecision(Decide(null, imei), EquipmentStatus.Greylisted, Reason.Unverified, DecisionRule.UnknownProvisionalGrey, At(s_now + Grace));

    [Test]
    public void M2M_TAC_is_exempt_even_with_a_grey_record_or_an_unknown_IMSI()
    {
        AssertDecision(Decide(Grey(At(s_now - 1)), M2mTacImei), EquipmentStatus.Whitelisted, Reason.None, DecisionRule.ExemptM2m);
        AssertDecision(Decide(null, M2mTacImei, ""), EquipmentStatus.Whitelisted, Reason.None, DecisionRule.ExemptM2m);
    }

    [TestCase("401017000000000", TestName = "M2M IMSI range includes its first IMSI")]
    [TestCase("401017099999999", TestName = "M2M IMSI range includes its last IMSI")]
    [TestCase(M2mImsi, TestName = "M2M IMSI range includes an IMSI inside")]
    [TestCase(M2mPrefixImsi, TestName = "M2M IMSI prefix matches")]
    public void M2M_IMSI_range_is_exempt(string imsi) =>
        AssertDecision(Decide(null, Ordinary, imsi), EquipmentStatus.Whitelisted, Reason.None, DecisionRule.ExemptM2m);

    [TestCase("401017100000000", TestName = "The IMSI just above an M2M IMSI range is not M2M")]
    [TestCase("401016999999999", TestName = "The IMSI just below an M2M IMSI range is not M2M")]
    [TestCase("401099112345678", TestName = "An IMSI outside an M2M prefix is not M2M")]
    [TestCase("40101700000", TestName = "An IMSI shorter than the M2M IMSI range is not M2M")]
    public void Outside_the_M2M_IMSI_ranges_the_regime_applies(string imsi) =>
        AssertDecision(Decide(null, Ordinary, imsi), EquipmentStatus.Greylisted, Reason.Unverified, DecisionRule.UnknownProvisionalGrey, At(s_now + Grace));

    [Test]
    public void M2M_IMSI_beats_an_invalid_IMEI() =>
        AssertDecision(Decide(null, ZeroTacImei, M2mImsi), EquipmentStatus.Whitelisted, Reason.None, DecisionRule.ExemptM2m);

    // ---- rule 5: invalid IMEI ------------------------------------------------------------------------------

    [Test]
    public void Fifteen_digits_with_a_bad_check_digit_are_blacklisted_invalid_imei() =>
        AssertDecision(Decide(null, "490154203237519"), EquipmentStatus.Blacklisted, Reason.InvalidImei, DecisionRule.InvalidImei);

    [Test]
    public void Fifteen_digits_with_the_spare_zero_are_not_invalid() =>
        AssertDecision(Decide(null, "490154203237510"), EquipmentStatus.Greylisted, Reason.Unverified, DecisionRule.UnknownProvisionalGrey, At(s_now + Grace));

    [Test]
    public void TAC_00000000_is_blacklisted_invalid_imei()
    {
        AssertDecision(Decide(null, ZeroTacImei), EquipmentStatus.Blacklisted, Reason.InvalidImei, DecisionRule.InvalidImei);
        AssertDecision(Decide(null, "00000000000000"), EquipmentStatus.Blacklisted, Reason.InvalidImei, DecisionRule.InvalidImei);
    }

    [Test]
    public void A_configured_invalid_TAC_range_is_blacklisted_at_both_ends()
    {
        AssertDecision(Decide(null, "99999990000000"), EquipmentStatus.Blacklisted, Reason.InvalidImei, DecisionRule.InvalidImei);
        AssertDecision(Decide(null, "99999999999999"), EquipmentStatus.Blacklisted, Reason.InvalidImei, DecisionRule.InvalidImei);
        AssertDecision(Decide(null, "99999989999999"), EquipmentStatus.Greylisted, Reason.Unverified, DecisionRule.UnknownProvisionalGrey, At(s_now + Grace));
    }

    [Test]
    public void Invalid_IMEI_beats_a_grey_record() =>
        AssertDecision(Decide(Grey(At(s_now + 100)), ZeroTacImei), EquipmentStatus.Blacklisted, Reason.InvalidImei, DecisionRule.InvalidImei);

    [Test]
    public void Invalid_IMEI_applies_before_the_regime_start_too() =>
        AssertDecision(Decide(null, "490154203237519", now: s_regimeStart - 1), EquipmentStatus.Blacklisted, Reason.InvalidImei, DecisionRule.InvalidImei);

    [Test]
    public void A_malformed_parse_passed_by_mistake_fails_closed()
    {
        Decision d = s_policy.Decide(false, default, default, ImeiParseResult.Malformed, Encoding.ASCII.GetBytes(RoamerImsi), s_now);
        AssertDecision(d, EquipmentStatus.Blacklisted, Reason.InvalidImei, DecisionRule.InvalidImei);
    }

    // ---- rule 6: grey ---------------------------------------------------------------------------------------

    [Test]
    public void Grey_before_the_deadline_is_greylisted_with_the_records_reason_and_deadline() =>
        AssertDecision(Decide(Grey(At(s_now + 1), Reason.Unverified), Ordinary), EquipmentStatus.Greylisted, Reason.Unverified, DecisionRule.Grey, At(s_now + 1));

    [Test]
    public void Grey_exactly_at_the_deadline_is_blacklisted_grey_expired() =>
        AssertDecision(Decide(Grey(At(s_now)), Ordinary), EquipmentStatus.Blacklisted, Reason.GreyExpired, DecisionRule.GreyExpired, At(s_now));

    [Test]
    public void Grey_after_the_deadline_is_blacklisted_grey_expired() =>
        AssertDecision(Decide(Grey(At(s_now - 86_400)), Ordinary), EquipmentStatus.Blacklisted, Reason.GreyExpired, DecisionRule.GreyExpired, At(s_now - 86_400));

    [Test]
    public void Grey_without_a_deadline_stays_greylisted() =>
        AssertDecision(Decide(Grey(0), Ordinary, now: uint.MaxValue + 10L), EquipmentStatus.Greylisted, Reason.Unverified, DecisionRule.Grey, 0);

    [Test]
    public void Grey_record_applies_before_the_regime_start_too() =>
        AssertDecision(Decide(Grey(At(s_regimeStart + 10), Reason.Admin), Ordinary, now: s_regimeStart - 10), EquipmentStatus.Greylisted, Reason.Admin, DecisionRule.Grey, At(s_regimeStart + 10));

    // ---- rule 7: unknown ------------------------------------------------------------------------------------

    [Test]
    public void Unknown_before_the_regime_start_is_whitelisted_legacy()
    {
        Decision d = Decide(null, Ordinary, now: s_regimeStart - 1);
        AssertDecision(d, EquipmentStatus.Whitelisted, Reason.Legacy, DecisionRule.UnknownLegacy);
        Assert.That(d.ProvisionalRecord, Is.EqualTo(default(ImeiRecord)));
    }

    [Test]
    public void Unknown_exactly_at_the_regime_start_gets_a_provisional_grey_record() =>
        AssertDecision(Decide(null, Ordinary, now: s_regimeStart), EquipmentStatus.Greylisted, Reason.Unverified, DecisionRule.UnknownProvisionalGrey, At(s_regimeStart + Grace));

    [Test]
    public void Unknown_after_the_regime_start_gets_a_provisional_grey_record_with_deadline_now_plus_grace()
    {
        Decision d = Decide(null, Ordinary);
        AssertDecision(d, EquipmentStatus.Greylisted, Reason.Unverified, DecisionRule.UnknownProvisionalGrey, At(s_now + Grace));
        Assert.That(d.ProvisionalRecord, Is.EqualTo(new ImeiRecord(ListKind.Grey, Reason.Unverified, At(s_now + Grace), sequence: 0)));
    }

    [Test]
    public void The_provisional_deadline_follows_the_configured_grace_period()
    {
        var policy = DecisionPolicy.Create(new PolicyOptions { GracePeriod = TimeSpan.FromDays(7) + TimeSpan.FromMilliseconds(900) });
        Assert.That(policy.GraceSeconds, Is.EqualTo(7 * 86_400L), "fractions of a second are dropped");
        Assert.That(Decide(null, Ordinary, policy: policy).DeadlineUnixSeconds, Is.EqualTo(At(s_now + 7 * 86_400L)));
    }

    [Test]
    public void The_provisional_deadline_is_clamped_to_uint()
    {
        Assert.That(Decide(null, Ordinary, now: uint.MaxValue - 5L).DeadlineUnixSeconds, Is.EqualTo(uint.MaxValue));
        Assert.That(Decide(null, Ordinary, now: long.MaxValue).DeadlineUnixSeconds, Is.EqualTo(uint.MaxValue));
        Assert.That(DecisionPolicy.ProvisionalDeadline(uint.MaxValue - Grace - 1, Grace), Is.EqualTo(uint.MaxValue - 1));
        Assert.That(DecisionPolicy.ProvisionalDeadline(-Grace - 100, Grace), Is.EqualTo(1u), "0 would mean no deadline");
    }

    [Test]
    public void The_regime_start_is_configuration()
    {
        var policy = DecisionPolicy.Create(new PolicyOptions { RegimeStart = DateTimeOffset.FromUnixTimeSeconds(s_now + 1) });
        AssertDecision(Decide(null, Ordinary, policy: policy), EquipmentStatus.Whitelisted, Reason.Legacy, DecisionRule.UnknownLegacy);
        Assert.That(policy.RegimeStartUnixSeconds, Is.EqualTo(s_now + 1));
    }

    [Test]
    public void Equipment_unknown_option_answers_unknown_without_a_provisional_record()
    {
        var policy = DecisionPolicy.Create(new PolicyOptions { UnknownAnswer = UnknownAnswer.EquipmentUnknown });
        Decision d = Decide(null, Ordinary, policy: policy);
        AssertDecision(d, EquipmentStatus.Greylisted, Reason.None, DecisionRule.UnknownEquipment);
        Assert.That(d.ProvisionalRecord, Is.EqualTo(default(ImeiRecord)));
    }

    [Test]
    public void Equipment_unknown_option_still_answers_legacy_before_the_regime_start()
    {
        var policy = DecisionPolicy.Create(new PolicyOptions { UnknownAnswer = UnknownAnswer.EquipmentUnknown });
        AssertDecision(Decide(null, Ordinary, now: s_regimeStart - 1, policy: policy), EquipmentStatus.Whitelisted, Reason.Legacy, DecisionRule.UnknownLegacy);
    }

    [Test]
    public void Equipment_unknown_option_leaves_known_records_alone()
    {
        var policy = DecisionPolicy.Create(new PolicyOptions { UnknownAnswer = UnknownAnswer.EquipmentUnknown });
        AssertDecision(Decide(Grey(At(s_now + 5)), Ordinary, policy: policy), EquipmentStatus.Greylisted, Reason.Unverified, DecisionRule.Grey, At(s_now + 5));
    }

    [TestCase(ListKind.None, TestName = "A record with list None counts as not found")]
    [TestCase((ListKind)9, TestName = "A record with an unknown list value counts as not found")]
    public void Record_without_a_list_counts_as_not_found(ListKind list) =>
        AssertDecision(Decide(new ImeiRecord(list, Reason.Stolen, 123, 1), Ordinary), EquipmentStatus.Greylisted, Reason.Unverified, DecisionRule.UnknownProvisionalGrey, At(s_now + Grace));

    [Test]
    public void The_record_is_ignored_when_not_found()
    {
        Decision d = s_policy.Decide(false, Black(), Imei.Parse(Ordinary), ImeiParseResult.Valid, Encoding.ASCII.GetBytes(HomeImsi), s_now);
        AssertDecision(d, EquipmentStatus.Greylisted, Reason.Unverified, DecisionRule.UnknownProvisionalGrey, At(s_now + Grace));
    }

    // ---- the default policy and the helpers -------------------------------------------------------------------

    [Test]
    public void The_default_policy_is_Kazakhstans()
    {
        var policy = DecisionPolicy.Create(new PolicyOptions());
        Assert.That(policy.IsHomeSubscriber(Encoding.ASCII.GetBytes(HomeImsi)), Is.True);
        Assert.That(policy.IsInboundRoamer(Encoding.ASCII.GetBytes(HomeMccMncImsi)), Is.True);
        Assert.That(policy.IsInvalidTac(0), Is.True);
        Assert.That(policy.IsInvalidTac(1), Is.False);
        Assert.That(policy.IsM2m(Imei.Parse(M2mTacImei), Encoding.ASCII.GetBytes(M2mImsi)), Is.False);
        Assert.That(policy.GraceSeconds, Is.EqualTo(Grace));
        Assert.That(policy.RegimeStartUnixSeconds, Is.EqualTo(s_regimeStart));
        AssertDecision(Decide(null, Ordinary, policy: policy), EquipmentStatus.Greylisted, Reason.Unverified, DecisionRule.UnknownProvisionalGrey, At(s_now + Grace));
    }

    [Test]
    public void IsM2m_checks_the_TAC_and_the_IMSI()
    {
        Assert.That(s_policy.IsM2m(Imei.Parse(M2mTacImei), []), Is.True);
        Assert.That(s_policy.IsM2m(Imei.Parse(Ordinary), Encoding.ASCII.GetBytes(M2mImsi)), Is.True);
        Assert.That(s_policy.IsM2m(Imei.Parse(Ordinary), Encoding.ASCII.GetBytes(HomeImsi)), Is.False);
        Assert.That(s_policy.IsM2m(Imei.Parse(Ordinary), Encoding.ASCII.GetBytes("4010170000x2345")), Is.False);
    }

    [Test]
    public void Overlapping_and_unsorted_ranges_are_merged()
    {
        var policy = DecisionPolicy.Create(new PolicyOptions
        {
            InvalidTacRanges = ["00000050-00000060", "00000000", "00000001-00000010", "00000005-00000020", "00000021", " 00000100 - 00000200 "],
        });
        uint[] invalid = [0, 1, 10, 15, 20, 21, 50, 60, 100, 200];
        uint[] valid = [22, 49, 61, 99, 201, 99_999_999];
        Assert.That(invalid.Where(t => !policy.IsInvalidTac(t)), Is.Empty);
        Assert.That(valid.Where(policy.IsInvalidTac), Is.Empty);
    }

    [Test]
    public void Create_copies_the_options()
    {
        var options = new PolicyOptions { HomeNetworks = ["401"] };
        var policy = DecisionPolicy.Create(options);
        options.HomeNetworks[0] = "262";
        options.GracePeriod = TimeSpan.FromDays(1);
        Assert.That(policy.Options, Is.Not.SameAs(options));
        Assert.That(policy.Options.HomeNetworks, Is.EqualTo(new[] { "401" }));
        Assert.That(policy.Options.GracePeriod, Is.EqualTo(TimeSpan.FromDays(30)));
        Assert.That(policy.IsHomeSubscriber(Encoding.ASCII.GetBytes(HomeImsi)), Is.True);
    }

    [Test]
    public void Decision_ToString_names_status_reason_rule_and_deadline()
    {
        Assert.That(Decide(null, Ordinary).ToString(), Is.EqualTo($"GREYLISTED unverified (UnknownProvisionalGrey, deadline {s_now + Grace})"));
        Assert.That(Decide(Black(), Ordinary).ToString(), Is.EqualTo("BLACKLISTED stolen (Black)"));
        Assert.That(Decide(new ImeiRecord(ListKind.Black, (Reason)200), Ordinary).ToString(), Is.EqualTo("BLACKLISTED 200 (Black)"));
    }
}
