using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace ImeiEir.Core.Tests;

public class ImeiTests
{
    // ---- properties -------------------------------------------------------------------------------------------

    [FsCheck.NUnit.Property]
    public Property The_14_15_and_16_digit_forms_map_to_one_key_and_the_display_form_round_trips() =>
        Prop.ForAll(Arb.From(Generators.Digits(14)), Arb.From(Generators.Digits(2)), (fourteen, softwareVersion) =>
        {
            string fifteen = fourteen + (char)('0' + ReferenceLuhn.CheckDigit(fourteen));
            string sixteen = fourteen + softwareVersion;

            Assert.That(Imei.TryParse(fourteen, out Imei from14), Is.EqualTo(ImeiParseResult.Valid));
            Assert.That(Imei.TryParse(fifteen, out Imei from15), Is.EqualTo(ImeiParseResult.Valid));
            Assert.That(Imei.TryParse(sixteen, out Imei from16), Is.EqualTo(ImeiParseResult.Valid));
            Assert.That(from15, Is.EqualTo(from14));
            Assert.That(from16, Is.EqualTo(from14));
            Assert.That(from14.Key, Is.EqualTo(ulong.Parse(fourteen)));

            string display = from14.ToString();
            Assert.That(display, Is.EqualTo(fifteen));
            Assert.That(Imei.TryParse(display, out Imei reparsed), Is.EqualTo(ImeiParseResult.Valid));
            Assert.That(reparsed, Is.EqualTo(from14));
            Assert.That(from14.ToString14(), Is.EqualTo(fourteen));
            Assert.That(Imei.Parse(display), Is.EqualTo(from14));
        });

    [FsCheck.NUnit.Property]
    public Property TryFormat_writes_the_digits_ToString_shows() =>
        Prop.ForAll(Arb.From(Generators.ImeiKey), key =>
        {
            Imei imei = Imei.FromKey(key);
            Span<byte> buffer = stackalloc byte[16];
            Assert.That(imei.TryFormat(buffer, out int written15), Is.True);
            Assert.That(Encoding.ASCII.GetString(buffer[..written15]), Is.EqualTo(imei.ToString()));
            Assert.That(imei.TryFormat14(buffer, out int written14), Is.True);
            Assert.That(Encoding.ASCII.GetString(buffer[..written14]), Is.EqualTo(imei.ToString14()));
            Assert.That(imei.TryFormat(buffer[..14], out _), Is.False);
            Assert.That(imei.TryFormat14(buffer[..13], out _), Is.False);
        });

    [FsCheck.NUnit.Property]
    public Property The_check_digit_agrees_with_the_reference_Luhn() =>
        Prop.ForAll(Arb.From(Generators.ImeiKey), key =>
        {
            string fourteen = key.ToString("D14");
            return Imei.ComputeCheckDigit(key) == ReferenceLuhn.CheckDigit(fourteen)
                && Imei.FromKey(key).CheckDigit == ReferenceLuhn.CheckDigit(fourteen);
        });

    [FsCheck.NUnit.Property]
    public Property A_wrong_check_digit_is_BadCheckDigit_except_the_spare_zero() =>
        Prop.ForAll(Arb.From(Generators.Digits(14)), Arb.From(Gen.Choose(0, 9)), (fourteen, last) =>
        {
            int check = ReferenceLuhn.CheckDigit(fourteen);
            ImeiParseResult result = Imei.TryParse(fourteen + (char)('0' + last), out Imei imei);
            ImeiParseResult expected = last == check || last == 0 ? ImeiParseResult.Valid : ImeiParseResult.BadCheckDigit;
            Assert.That(result, Is.EqualTo(expected));
            Assert.That(imei.Key, Is.EqualTo(ulong.Parse(fourteen)), "the key is set for BadCheckDigit too");
        });

    [FsCheck.NUnit.Property]
    public Property The_UTF16_and_UTF8_overloads_agree() =>
        Prop.ForAll(Arb.From(Generators.NearImeiText), text =>
        {
            ImeiParseResult fromChars = Imei.TryParse(text.AsSpan(), out Imei a);
            ImeiParseResult fromBytes = Imei.TryParse(Encoding.UTF8.GetBytes(text), out Imei b);
            return fromChars == fromBytes && a == b;
        });

    [FsCheck.NUnit.Property]
    public Property Any_bytes_parse_without_throwing_and_only_digit_strings_of_14_to_16_are_accepted() =>
        Prop.ForAll(Arb.From(ArbMap.Default.GeneratorFor<byte[]>().Select(b => b ?? [])), bytes =>
        {
            ImeiParseResult result = Imei.TryParse(bytes, out Imei imei);
            bool shaped = bytes.Length is >= 14 and <= 16 && bytes.All(b => b is >= (byte)'0' and <= (byte)'9');
            return shaped ? result != ImeiParseResult.Malformed : result == ImeiParseResult.Malformed && imei == default;
        });

    // ---- known vectors ----------------------------------------------------------------------------------------

    [Test]
    public void Known_vector_35209900176148_has_check_digit_1()
    {
        Imei imei = Imei.Parse("35209900176148");
        Assert.That(imei.CheckDigit, Is.EqualTo(1));
        Assert.That(imei.ToString(), Is.EqualTo("352099001761481"));
        Assert.That(Imei.TryParse("352099001761481", out _), Is.EqualTo(ImeiParseResult.Valid));
    }

    [Test]
    public void Known_vector_490154203237518_is_valid_with_its_tac_and_snr()
    {
        Assert.That(Imei.TryParse("490154203237518", out Imei imei), Is.EqualTo(ImeiParseResult.Valid));
        Assert.That(imei.Key, Is.EqualTo(49015420323751UL));
        Assert.That(imei.Tac, Is.EqualTo(49015420u));
        Assert.That(imei.Snr, Is.EqualTo(323751u));
        Assert.That(imei.CheckDigit, Is.EqualTo(8));
    }

    [Test]
    public void Wrong_check_digit_is_BadCheckDigit() =>
        Assert.That(Imei.TryParse("490154203237519", out _), Is.EqualTo(ImeiParseResult.BadCheckDigit));

    [Test]
    public void Spare_digit_zero_is_Valid() =>
        Assert.That(Imei.TryParse("490154203237510", out _), Is.EqualTo(ImeiParseResult.Valid));

    [Test]
    public void Sixteen_digit_IMEISV_ignores_the_software_version()
    {
        Assert.That(Imei.TryParse("4901542032375199", out Imei imei), Is.EqualTo(ImeiParseResult.Valid));
        Assert.That(imei, Is.EqualTo(Imei.Parse("490154203237518")));
    }

    [Test]
    public void Leading_zeros_are_kept()
    {
        Imei imei = Imei.Parse("00000000000001");
        Assert.That(imei.Key, Is.EqualTo(1UL));
        Assert.That(imei.Tac, Is.EqualTo(0u));
        Assert.That(imei.ToString14(), Is.EqualTo("00000000000001"));
        Assert.That(imei.ToString(), Has.Length.EqualTo(15).And.StartsWith("00000000000001"));
    }

    [TestCase("", TestName = "Empty is Malformed")]
    [TestCase("3520990017614", TestName = "13 digits is Malformed")]
    [TestCase("35209900176148123", TestName = "17 digits is Malformed")]
    [TestCase("3520990017614a", TestName = "A letter is Malformed")]
    [TestCase("35209900176148a", TestName = "A letter in the check digit is Malformed")]
    [TestCase("3520990017614 ", TestName = "A space is Malformed")]
    [TestCase("35209900176148-", TestName = "A dash is Malformed")]
    [TestCase("٣٥٢٠٩٩٠٠١٧٦١٤٨", TestName = "Arabic-Indic digits are Malformed")]
    [TestCase("３５２０９９００１７６１４８", TestName = "Fullwidth digits are Malformed")]
    public void Not_an_IMEI_is_Malformed(string text)
    {
        Assert.That(Imei.TryParse(text, out Imei fromChars), Is.EqualTo(ImeiParseResult.Malformed));
        Assert.That(Imei.TryParse(Encoding.UTF8.GetBytes(text), out Imei fromBytes), Is.EqualTo(ImeiParseResult.Malformed));
        Assert.That(fromChars, Is.EqualTo(default(Imei)));
        Assert.That(fromBytes, Is.EqualTo(default(Imei)));
        Assert.Throws<FormatException>(() => Imei.Parse(text));
    }

    [Test]
    public void Parse_rejects_a_bad_check_digit() =>
        Assert.That(() => Imei.Parse("490154203237519"), Throws.TypeOf<FormatException>().With.Message.Contains("check digit"));

    [Test]
    public void FromKey_accepts_14_digits_and_rejects_15()
    {
        Assert.That(Imei.FromKey(Imei.KeyLimit - 1).ToString14(), Is.EqualTo("99999999999999"));
        Assert.Throws<ArgumentOutOfRangeException>(() => Imei.FromKey(Imei.KeyLimit));
    }

    [Test]
    public void Keys_order_like_their_digits()
    {
        Assert.That(Imei.Parse("35209900176148").CompareTo(Imei.Parse("35209900176149")), Is.LessThan(0));
        Assert.That(Imei.Parse("49015420323751").CompareTo(Imei.Parse("35209900176148")), Is.GreaterThan(0));
    }
}
