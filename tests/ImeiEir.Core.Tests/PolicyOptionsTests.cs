namespace ImeiEir.Core.Tests;

public class PolicyOptionsTests
{
    private static IReadOnlyList<string> Problems(Action<PolicyOptions> change)
    {
        var options = new PolicyOptions();
        change(options);
        return options.Validate();
    }

    private static void AssertOneProblem(Action<PolicyOptions> change, string key, string containing)
    {
        IReadOnlyList<string> problems = Problems(change);
        Assert.That(problems, Has.Count.EqualTo(1), string.Join(Environment.NewLine, problems));
        Assert.That(problems[0], Does.StartWith(key + ": ").And.Contain(containing));

        var options = new PolicyOptions();
        change(options);
        var ex = Assert.Throws<PolicyConfigurationException>(() => DecisionPolicy.Create(options))!;
        Assert.That(ex.Key, Is.EqualTo(key));
        Assert.That(ex.Message, Is.EqualTo(problems[0]));
        Assert.That(ex.Problems, Is.EqualTo(problems));
    }

    [Test]
    public void The_defaults_are_valid()
    {
        var options = new PolicyOptions();
        Assert.That(options.Validate(), Is.Empty);
        Assert.That(options.GracePeriod, Is.EqualTo(TimeSpan.FromDays(30)));
        Assert.That(options.RegimeStart, Is.EqualTo(DateTimeOffset.Parse("2025-05-25T00:00:00+05:00")));
        Assert.That(options.HomeNetworks, Is.EqualTo(new[] { "401" }));
        Assert.That(options.InvalidTacRanges, Is.EqualTo(new[] { "00000000" }));
        Assert.That(options.M2mTacRanges, Is.Empty);
        Assert.That(options.M2mImsiRanges, Is.Empty);
        Assert.That(options.UnknownAnswer, Is.EqualTo(UnknownAnswer.Grey));
    }

    [Test]
    public void A_full_valid_configuration_has_no_problems() =>
        Assert.That(Problems(o =>
        {
            o.HomeNetworks = ["401", "25001", "310260"];
            o.M2mTacRanges = ["35000000-35099999", "86000000"];
            o.M2mImsiRanges = ["401017000000000-401017099999999", "4010170"];
            o.InvalidTacRanges = ["00000000", "99999990-99999999"];
            o.GracePeriod = TimeSpan.FromSeconds(1);
            o.UnknownAnswer = UnknownAnswer.EquipmentUnknown;
        }), Is.Empty);

    [Test]
    public void A_bad_MCC_names_its_index() =>
        AssertOneProblem(o => o.HomeNetworks = ["401", "4O1"], "Policy:HomeNetworks[1]", "'4O1'");

    [TestCase("4010", TestName = "A 4-digit home network is rejected")]
    [TestCase("4010171", TestName = "A 7-digit home network is rejected")]
    [TestCase("40", TestName = "A 2-digit home network is rejected")]
    [TestCase("", TestName = "An empty home network is rejected")]
    public void A_home_network_is_an_MCC_or_MCC_MNC(string network) =>
        AssertOneProblem(o => o.HomeNetworks = [network], "Policy:HomeNetworks[0]", "is not an MCC (3 digits) or MCC+MNC (5 or 6 digits)");

    [Test]
    public void No_home_network_at_all_is_a_problem() =>
        AssertOneProblem(o => o.HomeNetworks = [], "Policy:HomeNetworks", "at least one");

    [Test]
    public void A_null_array_is_a_problem()
    {
        AssertOneProblem(o => o.HomeNetworks = null!, "Policy:HomeNetworks", "null");
        AssertOneProblem(o => o.M2mTacRanges = null!, "Policy:M2mTacRanges", "null");
        AssertOneProblem(o => o.M2mImsiRanges = null!, "Policy:M2mImsiRanges", "null");
        AssertOneProblem(o => o.InvalidTacRanges = null!, "Policy:InvalidTacRanges", "null");
        AssertOneProblem(o => o.HomeNetworks = [null!], "Policy:HomeNetworks[0]", "is not an MCC");
    }

    [Test]
    public void A_TAC_range_in_the_wrong_order_is_a_problem() =>
        AssertOneProblem(o => o.M2mTacRanges = ["35000000", "35099999-35000000"], "Policy:M2mTacRanges[1]", "starts after it ends");

    [TestCase("3500000x", TestName = "A TAC with a letter is a problem")]
    [TestCase("3500000", TestName = "A TAC of 7 digits is a problem")]
    [TestCase("350000000", TestName = "A TAC of 9 digits is a problem")]
    [TestCase("35000000-", TestName = "A TAC range without an end is a problem")]
    [TestCase("35000000-3509999", TestName = "A TAC range with a short end is a problem")]
    [TestCase("35000000-35099999-35199999", TestName = "A TAC range with two dashes is a problem")]
    [TestCase("", TestName = "An empty TAC range is a problem")]
    public void Bad_TAC_range_digits_are_a_problem(string range) =>
        AssertOneProblem(o => o.InvalidTacRanges = ["00000000", range], "Policy:InvalidTacRanges[1]", range.Length == 0 ? "is empty" : $"'{range}'");

    [Test]
    public void An_IMSI_range_with_ends_of_different_lengths_is_a_problem() =>
        AssertOneProblem(o => o.M2mImsiRanges = ["40101700-401017099"], "Policy:M2mImsiRanges[0]", "same number of digits");

    [TestCase("40", TestName = "An IMSI prefix of 2 digits is a problem")]
    [TestCase("4010170000000001", TestName = "An IMSI prefix of 16 digits is a problem")]
    [TestCase("401-017", TestName = "An IMSI range of ends too short is a problem")]
    [TestCase("4010171-4010170", TestName = "An IMSI range in the wrong order is a problem")]
    public void Bad_IMSI_ranges_are_a_problem(string range) =>
        AssertOneProblem(o => o.M2mImsiRanges = [range], "Policy:M2mImsiRanges[0]", $"'{range}'");

    [Test]
    public void A_negative_grace_period_is_a_problem() =>
        AssertOneProblem(o => o.GracePeriod = TimeSpan.FromDays(-1), "Policy:GracePeriod", "at least 1 second");

    [Test]
    public void A_grace_period_under_a_second_is_a_problem()
    {
        AssertOneProblem(o => o.GracePeriod = TimeSpan.Zero, "Policy:GracePeriod", "at least 1 second");
        AssertOneProblem(o => o.GracePeriod = TimeSpan.FromMilliseconds(999), "Policy:GracePeriod", "at least 1 second");
    }

    [Test]
    public void An_undefined_unknown_answer_is_a_problem() =>
        AssertOneProblem(o => o.UnknownAnswer = (UnknownAnswer)7, "Policy:UnknownAnswer", "Grey, EquipmentUnknown");

    [Test]
    public void Every_problem_is_listed_in_order()
    {
        IReadOnlyList<string> problems = Problems(o =>
        {
            o.GracePeriod = TimeSpan.FromHours(-1);
            o.HomeNetworks = ["4O1", "401", "x"];
            o.M2mTacRanges = ["2-1"];
            o.M2mImsiRanges = ["401"];
            o.InvalidTacRanges = ["00000000", "0"];
        });
        Assert.That(problems.Select(p => p[..p.IndexOf(": ", StringComparison.Ordinal)]), Is.EqualTo(new[]
        {
            "Policy:GracePeriod", "Policy:HomeNetworks[0]", "Policy:HomeNetworks[2]", "Policy:M2mTacRanges[0]", "Policy:InvalidTacRanges[1]",
        }));
        var ex = Assert.Throws<PolicyConfigurationException>(() =>
            DecisionPolicy.Create(new PolicyOptions { GracePeriod = TimeSpan.FromHours(-1), HomeNetworks = ["4O1"] }))!;
        Assert.That(ex.Key, Is.EqualTo("Policy:GracePeriod"));
        Assert.That(ex.Problems, Has.Count.EqualTo(2));
    }

    [Test]
    public void Create_rejects_null() =>
        Assert.Throws<ArgumentNullException>(() => DecisionPolicy.Create(null!));
}
