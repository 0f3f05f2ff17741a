using System.Runtime.CompilerServices;

namespace ImeiEir.Core;

/// <summary>
/// An IMEI reduced to its 14 identifying digits, TAC (8) + SNR (6), packed as their decimal value in a
/// <see cref="ulong"/> (at most 10^14 - 1, 47 bits). The 15th (check) digit is derived, and the IMEISV
/// software-version digits are not part of the identity (3GPP TS 23.003 §6.2), so 14-, 15- and 16-digit
/// forms of one device all map to the same key.
/// </summary>
public readonly record struct Imei : IComparable<Imei>
{
    /// <summary>Exclusive upper bound of a key: 10^14.</summary>
    public const ulong KeyLimit = 100_000_000_000_000UL;

    private const ulong SnrModulus = 1_000_000UL;

    /// <summary>The packed 14 digits.</summary>
    public ulong Key { get; }

    private Imei(ulong key) => Key = key;

    /// <summary>Wraps a packed key; throws when it has more than 14 digits.</summary>
    public static Imei FromKey(ulong key)
    {
        if (key >= KeyLimit) ThrowKeyOutOfRange(key);
        return new Imei(key);
    }

    /// <summary>Type Allocation Code: the first 8 digits.</summary>
    public uint Tac => (uint)(Key / SnrModulus);

    /// <summary>Serial number: digits 9 to 14.</summary>
    public uint Snr => (uint)(Key % SnrModulus);

    /// <summary>The Luhn check digit of the 14 digits (TS 23.003 Annex B).</summary>
    public int CheckDigit => ComputeCheckDigit(Key);

    /// <summary>
    /// Parses 14, 15 or 16 ASCII digits from UTF-8 without allocating. See <see cref="ImeiParseResult"/>
    /// for what each outcome means; <paramref name="imei"/> is set for Valid and BadCheckDigit.
    /// </summary>
    public static ImeiParseResult TryParse(ReadOnlySpan<byte> utf8, out Imei imei)
    {
        int length = utf8.Length;
        if (length is < 14 or > 16)
        {
            imei = default;
            return ImeiParseResult.Malformed;
        }

        ulong key = 0;
        for (int i = 0; i < 14; i++)
        {
            uint digit = (uint)(utf8[i] - '0');
            if (digit > 9) { imei = default; return ImeiParseResult.Malformed; }
            key = key * 10 + digit;
        }

        int last = -1;
        for (int i = 14; i < length; i++)
        {
            uint digit = (uint)(utf8[i] - '0');
            if (digit > 9) { imei = default; return ImeiParseResult.Malformed; }
            last = (int)digit;
        }

        imei = new Imei(key);
        // Only the 15-digit form carries a check digit; 0 is the spare digit some networks send instead.
        if (length == 15 && last != 0 && last != ComputeCheckDigit(key))
            return ImeiParseResult.BadCheckDigit;
        return ImeiParseResult.Valid;
    }

    /// <summary>Parses 14, 15 or 16 digits from UTF-16 text, as <see cref="TryParse(ReadOnlySpan{byte}, out Imei)"/>.</summary>
    public static ImeiParseResult TryParse(ReadOnlySpan<char> text, out Imei imei)
    {
        if (text.Length is < 14 or > 16)
        {
            imei = default;
            return ImeiParseResult.Malformed;
        }

        Span<byte> utf8 = stackalloc byte[16];
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c > 0x7F) { imei = default; return ImeiParseResult.Malformed; }
            utf8[i] = (byte)c;
        }
        return TryParse(utf8[..text.Length], out imei);
    }

    /// <summary>Parses text that must be a valid IMEI; throws <see cref="FormatException"/> otherwise.</summary>
    public static Imei Parse(string text)
    {
        ImeiParseResult result = TryParse(text.AsSpan(), out Imei imei);
        if (result != ImeiParseResult.Valid)
            throw new FormatException($"'{text}' is not a valid IMEI ({(result == ImeiParseResult.Malformed ? "expected 14, 15 or 16 digits" : "wrong check digit")}).");
        return imei;
    }

    /// <summary>The Luhn check digit over the 14 digits of <paramref name="key"/>: double every second digit from the right.</summary>
    public static int ComputeCheckDigit(ulong key)
    {
        int sum = 0;
        bool doubleIt = true; // the 14th digit sits next to the check digit, so it is doubled
        for (int i = 0; i < 14; i++)
        {
            int digit = (int)(key % 10);
            key /= 10;
            if (doubleIt)
            {
                digit *= 2;
                if (digit > 9) digit -= 9;
            }
            sum += digit;
            doubleIt = !doubleIt;
        }
        return (10 - sum % 10) % 10;
    }

    /// <summary>Writes the 15-digit form (14 digits + check digit) as ASCII/UTF-8.</summary>
    public bool TryFormat(Span<byte> utf8, out int written)
    {
        if (utf8.Length < 15) { written = 0; return false; }
        WriteDigits(Key, utf8[..14]);
        utf8[14] = (byte)('0' + CheckDigit);
        written = 15;
        return true;
    }

    /// <summary>Writes the 14 identifying digits (the form S13 carries, TS 29.272 §7.3.4) as ASCII/UTF-8.</summary>
    public bool TryFormat14(Span<byte> utf8, out int written)
    {
        if (utf8.Length < 14) { written = 0; return false; }
        WriteDigits(Key, utf8[..14]);
        written = 14;
        return true;
    }

    /// <summary>The 15-digit form people see: 14 digits and the check digit.</summary>
    public override string ToString()
    {
        Span<byte> utf8 = stackalloc byte[15];
        TryFormat(utf8, out _);
        return System.Text.Encoding.ASCII.GetString(utf8);
    }

    /// <summary>The 14 identifying digits.</summary>
    public string ToString14() => Key.ToString("D14", System.Globalization.CultureInfo.InvariantCulture);

    public int CompareTo(Imei other) => Key.CompareTo(other.Key);

    private static void WriteDigits(ulong value, Span<byte> destination)
    {
        for (int i = destination.Length - 1; i >= 0; i--)
        {
            destination[i] = (byte)('0' + (int)(value % 10));
            value /= 10;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowKeyOutOfRange(ulong key) =>
        throw new ArgumentOutOfRangeException(nameof(key), key, "An IMEI key has at most 14 digits.");
}
