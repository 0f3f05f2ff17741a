using FsCheck;
using FsCheck.Fluent;

namespace ImeiEir.Core.Tests;

/// <summary>FsCheck generators shared by the property tests.</summary>
internal static class Generators
{
    public static Gen<char> Digit => Gen.Choose('0', '9').Select(c => (char)c);

    public static Gen<string> Digits(int count) => Gen.ArrayOf(Digit, count).Select(cs => new string(cs));

    public static Gen<string> DigitsOfLength(int min, int max) =>
        Gen.Choose(min, max).SelectMany(n => Digits(n));

    /// <summary>Text that is mostly IMEI-shaped: digit runs of length 0 to 20 with an occasional stray character.</summary>
    public static Gen<string> NearImeiText =>
        OneOf(
            (6, DigitsOfLength(12, 18)),
            (2, DigitsOfLength(0, 20)),
            (2, from digits in DigitsOfLength(0, 16)
                from stray in Gen.Elements('a', ' ', '-', '/', ':', '٣', 'é', '\0', '\u00B2', '\uFF10')
                from at in Gen.Choose(0, 16)
                select digits.Insert(Math.Min(at, digits.Length), stray.ToString())),
            (1, AnyString));

    public static Gen<string> AnyString => ArbMap.Default.GeneratorFor<string>().Select(s => s ?? "");

    public static Gen<ulong> ImeiKey =>
        from tac in Gen.Choose(0, 99_999_999)
        from snr in Gen.Choose(0, 999_999)
        select (ulong)tac * 1_000_000UL + (ulong)snr;

    public static Gen<long> Time =>
        OneOf(
            (4, Gen.Choose(1_700_000_000, 1_800_000_000).Select(x => (long)x)),
            (1, Gen.Elements(long.MinValue, -1L, 0L, 1L, uint.MaxValue - 1L, uint.MaxValue, uint.MaxValue + 1L, long.MaxValue)),
            (1, ArbMap.Default.GeneratorFor<long>()));

    public static Gen<ImeiRecord> Record =>
        from list in OneOf((8, Gen.Choose(0, 3)), (1, Gen.Choose(0, 255)))
        from reason in OneOf((8, Gen.Choose(0, 12)), (1, Gen.Choose(0, 255)))
        from deadline in OneOf(
            (4, Gen.Choose(1_700_000_000, 1_800_000_000).Select(x => (uint)x)),
            (1, Gen.Elements(0u, 1u, uint.MaxValue)),
            (1, ArbMap.Default.GeneratorFor<uint>()))
        from sequence in ArbMap.Default.GeneratorFor<ulong>()
        select new ImeiRecord((ListKind)list, (Reason)reason, deadline, sequence);

    /// <summary>IMSIs: home, roaming, M2M-prefixed, empty, too short or long, and arbitrary bytes.</summary>
    public static Gen<byte[]> Imsi =>
        OneOf(
            (3, DigitsOfLength(12, 12).Select(s => Ascii("401" + s))),
            (1, DigitsOfLength(8, 8).Select(s => Ascii("4010170" + s))),
            (3, DigitsOfLength(5, 15).Select(Ascii)),
            (1, Gen.Constant(Array.Empty<byte>())),
            (1, DigitsOfLength(0, 20).Select(Ascii)),
            (1, AnyString.Select(s => System.Text.Encoding.UTF8.GetBytes(s))),
            (1, ArbMap.Default.GeneratorFor<byte[]>().Select(b => b ?? [])));

    public static Gen<ImeiParseResult> Parse =>
        OneOf(
            (6, Gen.Constant(ImeiParseResult.Valid)),
            (2, Gen.Constant(ImeiParseResult.BadCheckDigit)),
            (1, Gen.Constant(ImeiParseResult.Malformed)),
            (1, Gen.Choose(0, 255).Select(b => (ImeiParseResult)b)));

    public static byte[] Ascii(string s) => System.Text.Encoding.ASCII.GetBytes(s);

    private static Gen<T> OneOf<T>(params (int Weight, Gen<T> Gen)[] choices) => Gen.Frequency(choices);
}
