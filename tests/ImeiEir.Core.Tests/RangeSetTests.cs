using FsCheck;
using FsCheck.Fluent;

namespace ImeiEir.Core.Tests;

/// <summary>The compiled range sets against a slow linear scan over the ranges as written.</summary>
public class RangeSetTests
{
    private static Gen<DigitRange> SmallRange =>
        from a in Gen.Choose(0, 200)
        from length in Gen.Choose(0, 20)
        select new DigitRange((ulong)a, (ulong)(a + length), 8);

    [FsCheck.NUnit.Property]
    public Property DigitRangeSet_agrees_with_a_linear_scan() =>
        Prop.ForAll(Arb.From(Gen.ListOf(SmallRange)), Arb.From(Gen.Choose(0, 230)), (ranges, value) =>
        {
            var set = new DigitRangeSet(ranges);
            bool expected = ranges.Any(r => r.Low <= (ulong)value && (ulong)value <= r.High);
            return set.Contains((ulong)value) == expected && set.Count <= ranges.Count;
        });

    [FsCheck.NUnit.Property]
    public Property ImsiPrefixSet_agrees_with_string_prefix_comparison() =>
        Prop.ForAll(
            Arb.From(Gen.ListOf(Generators.DigitsOfLength(1, 3).SelectMany(p => Generators.DigitsOfLength(p.Length, p.Length), (lo, hi) => (lo, hi)))),
            Arb.From(Generators.DigitsOfLength(0, 6)),
            (ranges, imsi) =>
            {
                var parsed = ranges.Select(r => string.CompareOrdinal(r.lo, r.hi) <= 0 ? r : (lo: r.hi, hi: r.lo)).ToList();
                var set = new ImsiPrefixSet(parsed.Select(r => new DigitRange(ulong.Parse(r.lo), ulong.Parse(r.hi), r.lo.Length)));
                bool expected = parsed.Any(r =>
                    imsi.Length >= r.lo.Length &&
                    string.CompareOrdinal(imsi[..r.lo.Length], r.lo) >= 0 &&
                    string.CompareOrdinal(imsi[..r.lo.Length], r.hi) <= 0);
                return set.Matches(Generators.Ascii(imsi)) == expected;
            });

    [Test]
    public void Empty_sets_contain_nothing()
    {
        Assert.That(DigitRangeSet.Empty.Contains(0), Is.False);
        Assert.That(ImsiPrefixSet.Empty.Matches("401011234567890"u8), Is.False);
        Assert.That(ImsiPrefixSet.Empty.IsEmpty, Is.True);
    }

    [TestCase("35000000", 8, 8, 35000000UL, 35000000UL, 8)]
    [TestCase("35000000-35099999", 8, 8, 35000000UL, 35099999UL, 8)]
    [TestCase(" 4010170 ", 3, 15, 4010170UL, 4010170UL, 7)]
    [TestCase("401017000000000 - 401017099999999", 3, 15, 401017000000000UL, 401017099999999UL, 15)]
    public void DigitRange_parses(string text, int min, int max, ulong low, ulong high, int digits)
    {
        Assert.That(DigitRange.TryParse(text, min, max, out DigitRange range, out string problem), Is.True, problem);
        Assert.That(range, Is.EqualTo(new DigitRange(low, high, digits)));
    }
}
