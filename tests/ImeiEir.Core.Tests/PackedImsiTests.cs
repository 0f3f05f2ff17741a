using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace ImeiEir.Core.Tests;

public class PackedImsiTests
{
    [TestCase("40101", 40101UL, 5)]
    [TestCase("00101", 101UL, 5)]
    [TestCase("000000000000000", 0UL, 15)]
    [TestCase("000000000000001", 1UL, 15)]
    [TestCase("401011234567890", 401011234567890UL, 15)]
    [TestCase("999999999999999", 999999999999999UL, 15)]
    [TestCase("0401012345", 401012345UL, 10)]
    public void Packs_digits_and_keeps_leading_zeros(string text, ulong value, int digits)
    {
        Assert.That(PackedImsi.TryPack(text.AsSpan(), out PackedImsi fromChars), Is.True);
        Assert.That(PackedImsi.TryPack(Encoding.ASCII.GetBytes(text), out PackedImsi fromBytes), Is.True);
        Assert.That((fromChars.Value, (int)fromChars.Digits), Is.EqualTo((value, digits)));
        Assert.That(fromBytes, Is.EqualTo(fromChars));
        Assert.That(fromChars.ToString(), Is.EqualTo(text));
        Assert.That(fromChars.IsNone, Is.False);
        Assert.That(fromChars.IsWellFormed, Is.True);
    }

    [Test]
    public void Leading_zeros_make_different_IMSIs()
    {
        PackedImsi.TryPack("00101".AsSpan(), out PackedImsi five);
        PackedImsi.TryPack("000101".AsSpan(), out PackedImsi six);
        Assert.That(five.Value, Is.EqualTo(six.Value));
        Assert.That(five, Is.Not.EqualTo(six));
        Assert.That(six.ToString(), Is.EqualTo("000101"));
    }

    [TestCase("")]
    [TestCase("4")]
    [TestCase("4010")]                  // 4 digits: shorter than MCC + MNC
    [TestCase("4010112345678901")]      // 16 digits
    [TestCase("40101123456789012345")]
    [TestCase("40101x")]
    [TestCase("x40101")]
    [TestCase("4010 1")]
    [TestCase("-40101")]
    [TestCase("+40101")]
    [TestCase("40101.0")]
    [TestCase("４０１０１")]             // full-width digits
    [TestCase("٤٠١٠١")]                 // Arabic-Indic digits
    [TestCase("imsi-401011234567890")]
    [TestCase("40101\0")]
    public void Refuses_anything_but_5_to_15_ASCII_digits_and_leaves_None(string text)
    {
        Assert.That(PackedImsi.TryPack(text.AsSpan(), out PackedImsi fromChars), Is.False);
        Assert.That(fromChars, Is.EqualTo(PackedImsi.None));
        Assert.That(PackedImsi.TryPack(Encoding.UTF8.GetBytes(text), out PackedImsi fromBytes), Is.False);
        Assert.That(fromBytes, Is.EqualTo(PackedImsi.None));
    }

    [Test]
    public void None_is_empty_and_well_formed()
    {
        Assert.That(PackedImsi.None.IsNone, Is.True);
        Assert.That(PackedImsi.None.ToString(), Is.Empty);
        Assert.That(PackedImsi.None.IsWellFormed, Is.True);
        Assert.That(new PackedImsi(5, 0).IsWellFormed, Is.False, "no digits but a value");
    }

    [TestCase(100_000UL, (byte)5, false)]
    [TestCase(99_999UL, (byte)5, true)]
    [TestCase(1UL, (byte)4, false)]
    [TestCase(1UL, (byte)16, false)]
    [TestCase(999_999_999_999_999UL, (byte)15, true)]
    [TestCase(1_000_000_000_000_000UL, (byte)15, false)]
    public void IsWellFormed_checks_the_value_against_its_width(ulong value, byte digits, bool expected) =>
        Assert.That(new PackedImsi(value, digits).IsWellFormed, Is.EqualTo(expected));

    [FsCheck.NUnit.Property(MaxTest = 1000)]
    public Property Any_5_to_15_digits_pack_and_print_back_unchanged() =>
        Prop.ForAll(Arb.From(Generators.DigitsOfLength(ImsiText.MinDigits, ImsiText.MaxDigits)), text =>
            PackedImsi.TryPack(text.AsSpan(), out PackedImsi imsi) && imsi.ToString() == text
            && imsi.Digits == text.Length && imsi.IsWellFormed
            && PackedImsi.TryPack(Encoding.ASCII.GetBytes(text), out PackedImsi again) && again == imsi);

    [FsCheck.NUnit.Property(MaxTest = 1000)]
    public Property Packing_agrees_with_the_IMSI_text_rule() =>
        Prop.ForAll(Arb.From(Generators.NearImeiText), text =>
            PackedImsi.TryPack(text.AsSpan(), out PackedImsi imsi) == ImsiText.IsValidImsi(text.AsSpan())
            && (imsi.IsNone || imsi.ToString() == text));
}
