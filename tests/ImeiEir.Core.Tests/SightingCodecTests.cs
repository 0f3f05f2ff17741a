using System.Buffers.Binary;
using FsCheck;
using FsCheck.Fluent;

namespace ImeiEir.Core.Tests;

public class SightingCodecTests
{
    private static readonly Sighting s_valid = new(35209900176148, new PackedImsi(101000000012, 14), 1_750_000_000, SightingKind.GreyAttach);

    private static byte[] Encode(in Sighting sighting)
    {
        byte[] bytes = new byte[SightingCodec.Size];
        SightingCodec.Write(sighting, bytes);
        return bytes;
    }

    [Test]
    public void The_wire_form_is_24_little_endian_bytes_as_documented()
    {
        // IMEI key 35209900176148 = 0x2005F197B314, IMSI "00101000000012" = 101000000012 (0x178411B20C) in 14 digits,
        // seen 1750000000 = 0x684EE180, kind 2 (grey attach), reserved 0.
        Assert.That(Convert.ToHexStringLower(Encode(s_valid)),
            Is.EqualTo("14b397f105200000" + "0cb2118417000000" + "80e14e68" + "0e" + "02" + "0000"));
        Assert.That(SightingCodec.Size, Is.EqualTo(24));
    }

    private sealed record Input(ulong ImeiKey, string? Imsi, uint Seen, SightingKind Kind);

    private static Arbitrary<Input> Inputs =>
        Arb.From(
            from key in Gen.Frequency(
                (6, Generators.ImeiKey),
                (1, Gen.Elements(0UL, 1UL, Imei.KeyLimit - 1)))
            from imsi in Gen.Frequency(
                (6, Generators.DigitsOfLength(ImsiText.MinDigits, ImsiText.MaxDigits).Select(s => (string?)s)),
                (2, Gen.Choose(ImsiText.MinDigits, ImsiText.MaxDigits).SelectMany(n => Gen.Elements(new string('0', n), new string('9', n), "0" + new string('1', n - 1))).Select(s => (string?)s)),
                (1, Gen.Constant((string?)null)))
            from seen in Gen.Frequency(
                (4, Gen.Choose(1_700_000_000, 1_900_000_000).Select(x => (uint)x)),
                (1, Gen.Elements(0u, 1u, uint.MaxValue)),
                (1, ArbMap.Default.GeneratorFor<uint>()))
            from kind in Gen.Elements(SightingKind.FirstSeen, SightingKind.GreyAttach, SightingKind.BlackAttach, SightingKind.HomeAttach)
            select new Input(key, imsi, seen, kind));

    [FsCheck.NUnit.Property(MaxTest = 2000)]
    public Property Encode_then_decode_is_identity_and_the_IMSI_keeps_its_digits() =>
        Prop.ForAll(Inputs, input =>
        {
            PackedImsi imsi = PackedImsi.None;
            if (input.Imsi is not null) Assert.That(PackedImsi.TryPack(input.Imsi.AsSpan(), out imsi), Is.True, input.Imsi);
            var sighting = new Sighting(input.ImeiKey, imsi, input.Seen, input.Kind);

            byte[] bytes = Encode(sighting);
            Assert.That(SightingCodec.TryRead(bytes, out Sighting decoded, out string? problem), Is.True, problem);
            Assert.That(problem, Is.Null);
            Assert.That(decoded, Is.EqualTo(sighting));
            Assert.That(decoded.Imsi.ToString(), Is.EqualTo(input.Imsi ?? ""));
            Assert.That(decoded.Imei.Key, Is.EqualTo(input.ImeiKey));
        });

    [FsCheck.NUnit.Property(MaxTest = 2000)]
    public Property Random_bytes_never_throw_and_whatever_decodes_encodes_back_to_the_same_bytes() =>
        Prop.ForAll(
            Arb.From(Gen.Frequency(
                (1, ArbMap.Default.GeneratorFor<byte[]>().Select(b => b ?? [])),
                // Mostly-valid records with one random byte: reaches every check, not only the first.
                (3, from input in Inputs.Generator
                    from at in Gen.Choose(0, SightingCodec.Size - 1)
                    from value in ArbMap.Default.GeneratorFor<byte>()
                    select Mutate(input, at, value)))),
            bytes =>
            {
                bool ok = SightingCodec.TryRead(bytes, out Sighting s, out string? problem);
                if (!ok) return problem is { Length: > 0 } && s == default;
                return problem is null && s.ImeiKey < Imei.KeyLimit && s.Imsi.IsWellFormed && Enum.IsDefined(s.Kind)
                    && Encode(s).AsSpan().SequenceEqual(bytes.AsSpan(0, SightingCodec.Size));
            });

    private static byte[] Mutate(Input input, int at, byte value)
    {
        PackedImsi imsi = PackedImsi.None;
        if (input.Imsi is not null) PackedImsi.TryPack(input.Imsi.AsSpan(), out imsi);
        byte[] bytes = Encode(new Sighting(input.ImeiKey, imsi, input.Seen, input.Kind));
        bytes[at] = value;
        return bytes;
    }

    private static string Refused(byte[] bytes)
    {
        Assert.That(SightingCodec.TryRead(bytes, out Sighting s, out string? problem), Is.False);
        Assert.That(s, Is.EqualTo(default(Sighting)));
        Assert.That(problem, Is.Not.Null.And.Not.Empty);
        return problem!;
    }

    [TestCase(100_000_000_000_000UL)]
    [TestCase(100_000_000_000_001UL)]
    [TestCase(ulong.MaxValue)]
    public void An_IMEI_key_of_more_than_14_digits_is_refused(ulong key)
    {
        byte[] bytes = Encode(s_valid);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, key);
        Assert.That(Refused(bytes), Does.Contain($"IMEI key {key}").And.Contain("not 14 digits"));
    }

    [TestCase(100_000UL, 5)]                      // 6 digits in 5
    [TestCase(1_000_000_000_000_000UL, 15)]       // 16 digits in 15
    [TestCase(ulong.MaxValue, 15)]
    [TestCase(1_000_000_000_000UL, 12)]
    [TestCase(1UL, 0)]                            // "no IMSI" must carry value 0
    [TestCase(1UL, 1)]                            // 1 to 4 digits: shorter than MCC + MNC
    [TestCase(1234UL, 4)]
    [TestCase(0UL, 4)]
    [TestCase(1UL, 16)]                           // longer than any IMSI
    [TestCase(0UL, 255)]
    public void An_IMSI_that_does_not_fit_its_digit_count_is_refused(ulong value, byte digits)
    {
        byte[] bytes = Encode(s_valid);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8), value);
        bytes[20] = digits;
        Assert.That(Refused(bytes), Does.Contain($"IMSI value {value} does not fit {digits} digits"));
    }

    [TestCase(99_999UL, 5)]
    [TestCase(999_999_999_999_999UL, 15)]
    [TestCase(0UL, 15)]
    [TestCase(0UL, 0)]
    public void The_largest_and_smallest_IMSI_of_each_width_is_taken(ulong value, byte digits)
    {
        byte[] bytes = Encode(s_valid);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8), value);
        bytes[20] = digits;
        Assert.That(SightingCodec.TryRead(bytes, out Sighting s, out string? problem), Is.True, problem);
        Assert.That((s.Imsi.Value, s.Imsi.Digits), Is.EqualTo((value, digits)));
    }

    [Test]
    public void A_home_attach_pair_report_reads_back_as_kind_4()
    {
        byte[] bytes = Encode(s_valid);
        bytes[21] = 4;
        Assert.That(SightingCodec.TryRead(bytes, out Sighting sighting, out string? problem), Is.True, problem);
        Assert.That(sighting.Kind, Is.EqualTo(SightingKind.HomeAttach));
    }

    [TestCase(0)]
    [TestCase(5)]
    [TestCase(255)]
    public void An_unknown_kind_is_refused(byte kind)
    {
        byte[] bytes = Encode(s_valid);
        bytes[21] = kind;
        Assert.That(Refused(bytes), Does.Contain($"kind {kind} is unknown"));
    }

    [TestCase(22, 1)]
    [TestCase(23, 1)]
    [TestCase(22, 0x80)]
    [TestCase(23, 0xFF)]
    public void Reserved_bytes_must_be_zero(int offset, byte value)
    {
        byte[] bytes = Encode(s_valid);
        bytes[offset] = value;
        Assert.That(Refused(bytes), Does.Contain("reserved bytes are not zero"));
    }

    [Test]
    public void A_buffer_shorter_than_24_bytes_is_refused_with_its_length()
    {
        byte[] full = Encode(s_valid);
        for (int length = 0; length < SightingCodec.Size; length++)
            Assert.That(Refused(full[..length]), Does.Contain($"24 bytes, got {length}"), $"length {length}");
    }

    [Test]
    public void Write_refuses_a_destination_shorter_than_24_bytes()
    {
        Assert.That(() => SightingCodec.Write(s_valid, new byte[23]), Throws.ArgumentException);
        byte[] larger = Enumerable.Repeat((byte)0xAA, 30).ToArray();
        SightingCodec.Write(s_valid, larger);
        Assert.That(larger[..24], Is.EqualTo(Encode(s_valid)));
        Assert.That(larger[24..], Is.All.EqualTo((byte)0xAA), "nothing written past the record");
    }
}
