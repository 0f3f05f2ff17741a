namespace ImeiEir.Core;

/// <summary>An inclusive range of equal-length digit strings, held as their values: "35000000-35099999".</summary>
internal readonly record struct DigitRange(ulong Low, ulong High, int Digits)
{
    /// <summary>
    /// Parses "low-high" or a single "value" (= "value-value"); both ends must be <paramref name="minDigits"/> to
    /// <paramref name="maxDigits"/> ASCII digits of the same length, low ≤ high. Spaces around either end are ignored.
    /// </summary>
    public static bool TryParse(string? text, int minDigits, int maxDigits, out DigitRange range, out string problem)
    {
        range = default;
        if (string.IsNullOrWhiteSpace(text)) { problem = "is empty"; return false; }

        ReadOnlySpan<char> all = text.AsSpan().Trim();
        int dash = all.IndexOf('-');
        ReadOnlySpan<char> low = dash < 0 ? all : all[..dash].Trim();
        ReadOnlySpan<char> high = dash < 0 ? all : all[(dash + 1)..].Trim();
        string digits = minDigits == maxDigits ? $"{minDigits} digits" : $"{minDigits} to {maxDigits} digits";

        if (!TryParseDigits(low, minDigits, maxDigits, out ulong lowValue) ||
            !TryParseDigits(high, minDigits, maxDigits, out ulong highValue))
        {
            problem = dash < 0 ? $"'{text}' is not {digits}" : $"'{text}' is not {digits}, or two such separated by '-'";
            return false;
        }
        if (low.Length != high.Length)
        {
            problem = $"'{text}': both ends must have the same number of digits";
            return false;
        }
        if (lowValue > highValue)
        {
            problem = $"'{text}' starts after it ends";
            return false;
        }

        range = new DigitRange(lowValue, highValue, low.Length);
        problem = "";
        return true;
    }

    /// <summary>Parses 1 to 19 ASCII digits within the length bounds.</summary>
    public static bool TryParseDigits(ReadOnlySpan<char> text, int minDigits, int maxDigits, out ulong value)
    {
        value = 0;
        if (text.Length < minDigits || text.Length > maxDigits || text.Length > 19) return false;
        foreach (char c in text)
        {
            uint digit = (uint)(c - '0');
            if (digit > 9) return false;
            value = value * 10 + digit;
        }
        return true;
    }
}

/// <summary>
/// A set of values given as inclusive ranges, compiled into sorted, merged, disjoint arrays and searched with a
/// binary search: allocation-free, lock-free, immutable after construction.
/// </summary>
internal sealed class DigitRangeSet
{
    public static readonly DigitRangeSet Empty = new([]);

    private readonly ulong[] _low;
    private readonly ulong[] _high;

    public DigitRangeSet(IEnumerable<DigitRange> ranges)
    {
        var sorted = new List<DigitRange>(ranges);
        sorted.Sort(static (a, b) => a.Low.CompareTo(b.Low));

        var low = new List<ulong>(sorted.Count);
        var high = new List<ulong>(sorted.Count);
        foreach (DigitRange r in sorted)
        {
            // Merge overlapping and adjacent ranges, so at most one range can hold a value.
            if (high.Count > 0 && r.Low <= high[^1] + 1)
            {
                if (r.High > high[^1]) high[^1] = r.High;
                continue;
            }
            low.Add(r.Low);
            high.Add(r.High);
        }
        _low = low.ToArray();
        _high = high.ToArray();
    }

    /// <summary>Number of disjoint ranges after merging.</summary>
    public int Count => _low.Length;

    public bool Contains(ulong value)
    {
        // Find the last range whose low end is ≤ value; the value is in the set iff it is ≤ that range's high end.
        ulong[] low = _low;
        int lo = 0, hi = low.Length - 1;
        while (lo <= hi)
        {
            int mid = lo + ((hi - lo) >> 1);
            if (low[mid] <= value) lo = mid + 1;
            else hi = mid - 1;
        }
        return hi >= 0 && value <= _high[hi];
    }
}

/// <summary>
/// IMSI prefix ranges of several lengths: a range of N-digit strings matches an IMSI whose first N digits fall in it.
/// One <see cref="DigitRangeSet"/> per length, so a lookup is one pass over the IMSI digits and a binary search at
/// each length that has ranges.
/// </summary>
internal sealed class ImsiPrefixSet
{
    public static readonly ImsiPrefixSet Empty = new([]);

    private readonly DigitRangeSet?[] _byDigits = new DigitRangeSet?[ImsiText.MaxDigits + 1];
    private readonly int _maxDigits;

    public ImsiPrefixSet(IEnumerable<DigitRange> ranges)
    {
        var groups = new List<DigitRange>?[ImsiText.MaxDigits + 1];
        foreach (DigitRange r in ranges)
        {
            if (r.Digits is < 1 or > ImsiText.MaxDigits) throw new ArgumentOutOfRangeException(nameof(ranges), r, "An IMSI prefix has 1 to 15 digits.");
            (groups[r.Digits] ??= []).Add(r);
            if (r.Digits > _maxDigits) _maxDigits = r.Digits;
        }
        for (int n = 1; n < groups.Length; n++)
        {
            if (groups[n] is { } group) _byDigits[n] = new DigitRangeSet(group);
        }
    }

    public bool IsEmpty => _maxDigits == 0;

    /// <summary>True when a prefix of <paramref name="imsiDigits"/> is in the set. The caller has checked the digits.</summary>
    public bool Matches(ReadOnlySpan<byte> imsiDigits)
    {
        int limit = Math.Min(imsiDigits.Length, _maxDigits);
        ulong prefix = 0;
        for (int i = 0; i < limit; i++)
        {
            prefix = prefix * 10 + (uint)(imsiDigits[i] - '0');
            DigitRangeSet? set = _byDigits[i + 1];
            if (set is not null && set.Contains(prefix)) return true;
        }
        return false;
    }
}
