namespace ImeiEir.Core;

/// <summary>
/// An IMSI (5 to 15 digits) packed in 9 bytes: its value and its digit count, so leading zeros survive. The form a
/// sighting carries: fixed size, no allocation. <see cref="None"/> (0 digits) means "no IMSI was given".
/// </summary>
public readonly record struct PackedImsi(ulong Value, byte Digits)
{
    public static PackedImsi None => default;

    public bool IsNone => Digits == 0;

    /// <summary>Packs ASCII digits; false (and <see cref="None"/>) unless <see cref="ImsiText.IsValidImsi(ReadOnlySpan{byte})"/>.</summary>
    public static bool TryPack(ReadOnlySpan<byte> utf8, out PackedImsi imsi)
    {
        imsi = None;
        if (!ImsiText.IsValidImsi(utf8)) return false;
        ulong value = 0;
        foreach (byte b in utf8) value = value * 10 + (uint)(b - '0');
        imsi = new PackedImsi(value, (byte)utf8.Length);
        return true;
    }

    /// <summary>Packs digits given as text; false (and <see cref="None"/>) unless it is a valid IMSI.</summary>
    public static bool TryPack(ReadOnlySpan<char> text, out PackedImsi imsi)
    {
        imsi = None;
        if (!ImsiText.IsValidImsi(text)) return false;
        ulong value = 0;
        foreach (char c in text) value = value * 10 + (uint)(c - '0');
        imsi = new PackedImsi(value, (byte)text.Length);
        return true;
    }

    /// <summary>True when the fields could have come from <see cref="TryPack(ReadOnlySpan{byte}, out PackedImsi)"/> (or are <see cref="None"/>).</summary>
    public bool IsWellFormed => Digits == 0 ? Value == 0
        : Digits is >= ImsiText.MinDigits and <= ImsiText.MaxDigits && Value < Pow10(Digits);

    /// <summary>The digits, zero-padded to <see cref="Digits"/>; empty for <see cref="None"/>.</summary>
    public override string ToString() => Digits == 0 ? "" : Value.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(Digits, '0');

    private static ulong Pow10(int digits)
    {
        ulong p = 1;
        for (int i = 0; i < digits; i++) p *= 10;
        return p;
    }
}
