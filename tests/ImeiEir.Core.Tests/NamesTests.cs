namespace ImeiEir.Core.Tests;

public class NamesTests
{
    private static readonly ListKind[] s_lists = [ListKind.White, ListKind.Grey, ListKind.Black];

    private static IEnumerable<Reason> Reasons => Enum.GetValues<Reason>().Where(r => r is not (Reason.None or Reason.Cloned));

    [TestCaseSource(nameof(s_lists))]
    public void List_names_round_trip(ListKind list)
    {
        Assert.That(Names.TryParseList(list.ToName(), out ListKind parsed), Is.True);
        Assert.That(parsed, Is.EqualTo(list));
        Assert.That(Names.TryParseList(" " + list.ToName().ToUpperInvariant() + " ", out parsed), Is.True);
        Assert.That(parsed, Is.EqualTo(list));
    }

    [Test]
    public void Gray_is_accepted_for_grey()
    {
        Assert.That(Names.TryParseList("Gray", out ListKind list), Is.True);
        Assert.That(list, Is.EqualTo(ListKind.Grey));
    }

    [TestCase("none")]
    [TestCase("")]
    [TestCase("blacklist")]
    public void Other_list_names_are_rejected(string text)
    {
        Assert.That(Names.TryParseList(text, out ListKind list), Is.False);
        Assert.That(list, Is.EqualTo(ListKind.None));
    }

    [TestCaseSource(nameof(Reasons))]
    public void Reason_names_round_trip(Reason reason)
    {
        Assert.That(Names.TryParseReason(reason.ToName(), out Reason parsed), Is.True);
        Assert.That(parsed, Is.EqualTo(reason));
        Assert.That(Names.TryParseReason(reason.ToName().Replace('-', '_').ToUpperInvariant(), out parsed), Is.True);
        Assert.That(parsed, Is.EqualTo(reason));
    }

    [TestCase("none")]
    [TestCase("cloned")]
    [TestCase("")]
    [TestCase("stolen!")]
    [TestCase("a-reason-name-much-longer-than-thirty-two-characters")]
    public void Other_reason_names_are_rejected(string text)
    {
        Assert.That(Names.TryParseReason(text, out Reason reason), Is.False);
        Assert.That(reason, Is.EqualTo(Reason.None));
    }

    [Test]
    public void Cloned_is_named_but_is_no_record_reason()
    {
        Assert.That(Reason.Cloned.ToName(), Is.EqualTo("cloned"));
        Assert.That(Names.ReasonNames, Does.Not.Contain("cloned"));
    }

    [Test]
    public void Reason_names_list_every_reason_but_none()
    {
        Assert.That(Names.ReasonNames, Is.EqualTo(Reasons.Select(r => r.ToName())));
        Assert.That(Names.ReasonNames, Does.Contain("service-replacement").And.Contain("grey-expired").And.Not.Contain("none"));
    }

    [Test]
    public void Status_names_are_the_S13_and_N5g_eir_spellings()
    {
        Assert.That(EquipmentStatus.Whitelisted.ToName(), Is.EqualTo("WHITELISTED"));
        Assert.That(EquipmentStatus.Blacklisted.ToName(), Is.EqualTo("BLACKLISTED"));
        Assert.That(EquipmentStatus.Greylisted.ToName(), Is.EqualTo("GREYLISTED"));
        Assert.That((byte)EquipmentStatus.Greylisted, Is.EqualTo(2), "TS 29.272 §7.3.51 wire value");
    }
}
