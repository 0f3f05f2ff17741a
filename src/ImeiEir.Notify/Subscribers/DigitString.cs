namespace ImeiEir.Notify.Subscribers;

/// <summary>
/// A string of up to 15 ASCII digits packed in a <see cref="ulong"/> with its length, so leading zeros survive
/// (an IIN of someone born in 2005 starts with 0) and a directory of millions of subscribers holds no strings:
/// <code>
///   63      60 59    56 55   50 49                                   0
///  ┌──────────┬────────┬───────┬──────────────────────────────────────┐
///  │ 0        │ length │ 0     │ decimal value (&lt; 10^15 &lt; 2^50)       │
///  └──────────┴────────┴───────┴──────────────────────────────────────┘
/// </code>
/// </summary>
internal static class DigitString
{
    public const int MaxDigits = 15;

    /// <summary>Packs <paramref name="digits"/> when it is <paramref name="min"/> to <paramref name="max"/> (≤ 15) ASCII digits.</summary>
    public static bool TryPack(ReadOnlySpan<char> digits, int min, int max, out ulong packed)
    {
        packed = 0;
        if (digits.Length < min || digits.Length > Math.Min(max, MaxDigits)) return false;
        ulong value = 0;
        foreach (char c in digits)
        {
            uint digit = (uint)(c - '0');
            if (digit > 9) return false;
            value = value * 10 + digit;
        }
        packed = ((ulong)digits.Length << 56) | value;
        return true;
    }

    /// <summary>The digits back, leading zeros included.</summary>
    public static string Unpack(ulong packed)
    {
        int length = (int)(packed >> 56);
        ulong value = packed & ((1UL << 56) - 1);
        return string.Create(length, value, static (span, v) =>
        {
            for (int i = span.Length - 1; i >= 0; i--)
            {
                span[i] = (char)('0' + (int)(v % 10));
                v /= 10;
            }
        });
    }
}
