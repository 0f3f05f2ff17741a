using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;

namespace ImeiEir.Core;

/// <summary>
/// Which history a registry's change numbers belong to: a random 128-bit id, new when a registry's data directory
/// is created or restored from a backup, and kept for its whole life. Two registries (or one before and after a
/// restore) may both have a change 1000 that are different changes; a node compares generations so it never follows
/// one history from a position it reached in another. Written as 32 lowercase hex digits; <see cref="None"/> (all
/// zero) means "not known" (a registry or snapshot from before generations existed).
/// </summary>
public readonly record struct RegistryGeneration(UInt128 Value)
{
    /// <summary>Bytes of the binary form (snapshot header, backup header).</summary>
    public const int Size = 16;

    /// <summary>Characters of the text form.</summary>
    public const int TextLength = 32;

    /// <summary>No generation known.</summary>
    public static RegistryGeneration None => default;

    public bool IsNone => Value == UInt128.Zero;

    /// <summary>A new random generation (never <see cref="None"/>).</summary>
    public static RegistryGeneration NewRandom()
    {
        Span<byte> bytes = stackalloc byte[Size];
        RegistryGeneration generation;
        do
        {
            RandomNumberGenerator.Fill(bytes);
            generation = Read(bytes);
        } while (generation.IsNone);
        return generation;
    }

    /// <summary>The 32 lowercase hex digits.</summary>
    public override string ToString() => Value.ToString("x32", CultureInfo.InvariantCulture);

    /// <summary>Exactly 32 hex digits (either case); false for anything else.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out RegistryGeneration generation)
    {
        generation = None;
        if (text.Length != TextLength) return false;
        foreach (char c in text)
        {
            if (!char.IsAsciiHexDigit(c)) return false;
        }
        if (!UInt128.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out UInt128 value)) return false;
        generation = new RegistryGeneration(value);
        return true;
    }

    /// <summary>Writes the 16 bytes, most significant first (so the bytes read as the text form).</summary>
    public void Write(Span<byte> destination) => BinaryPrimitives.WriteUInt128BigEndian(destination, Value);

    /// <summary>Reads the 16 bytes <see cref="Write"/> wrote.</summary>
    public static RegistryGeneration Read(ReadOnlySpan<byte> source) => new(BinaryPrimitives.ReadUInt128BigEndian(source));
}
