using System.Globalization;
using ImeiEir.Core;
using ImeiEir.Tools.EirCtl;

namespace ImeiEir.Tools.EirLoad;

/// <summary>
/// What eirload asks about: a random key of a synthetic keyspace (the one <c>eirctl gen</c> wrote, same count,
/// seed and mix) or of an IMEI file, with the Equipment-Status the EIR should answer for it.
/// </summary>
internal sealed class RequestSource
{
    /// <summary>Expectation meaning "any answer is fine" (an IMEI file without lists).</summary>
    public const sbyte NoExpectation = -1;

    /// <summary>Expectation meaning Experimental-Result 5422 (Policy:UnknownAnswer=EquipmentUnknown).</summary>
    public const sbyte ExpectEquipmentUnknown = -2;

    private readonly SyntheticKeyspace? _keyspace;
    private readonly long _listsDayUnixSeconds; // 00:00 in Almaty of the day the synthetic lists were generated
    private readonly sbyte[] _expectedByKind = new sbyte[4];
    private readonly ulong[]? _keys;
    private readonly sbyte[]? _expected;

    private RequestSource(SyntheticKeyspace keyspace, sbyte unknownExpectation, DateOnly listsDate)
    {
        _keyspace = keyspace;
        _listsDayUnixSeconds = SyntheticKeyspace.DayStartUnixSeconds(listsDate);
        _expectedByKind[(int)KeyKind.White] = (sbyte)EquipmentStatus.Whitelisted;
        _expectedByKind[(int)KeyKind.Grey] = (sbyte)EquipmentStatus.Greylisted;
        _expectedByKind[(int)KeyKind.Black] = (sbyte)EquipmentStatus.Blacklisted;
        _expectedByKind[(int)KeyKind.Unknown] = unknownExpectation;
        Count = keyspace.Count;
        Description = $"synthetic keyspace of {keyspace.Count} keys, {keyspace.Mix}";
    }

    private RequestSource(ulong[] keys, sbyte[] expected, string description)
    {
        _keys = keys;
        _expected = expected;
        Count = keys.Length;
        Description = description;
    }

    public long Count { get; }

    public string Description { get; }

    /// <summary>
    /// The synthetic keyspace of <c>eirctl gen --count keys --seed seed --mix mix</c>, run on <paramref name="listsDate"/>
    /// (its date in Almaty, where the file's grey deadlines fall at 00:00): a grey key is expected blacklisted from its
    /// deadline on, so a run across midnight, or on a later day, does not count expiries as mismatches.
    /// </summary>
    public static RequestSource Synthetic(long keys, ulong seed, ListMix mix, sbyte unknownExpectation, DateOnly listsDate) =>
        new(new SyntheticKeyspace(keys, seed, mix), unknownExpectation, listsDate);

    /// <summary>Today's date in Almaty: the date <c>eirctl gen</c> gives lists generated now.</summary>
    public static DateOnly TodayInAlmaty() => SyntheticKeyspace.ListsDay(DateTimeOffset.UtcNow);

    /// <summary>
    /// An IMEI file: either an initial-lists CSV (header <c>imei,list,...</c>: the list gives the expectation) or one
    /// IMEI per line (no expectation). Blank and <c>#</c> lines are skipped. Throws <see cref="FormatException"/>
    /// naming the first bad line.
    /// </summary>
    public static RequestSource FromFile(string path)
    {
        var keys = new List<ulong>();
        var expected = new List<sbyte>();
        bool csv = false;
        int lineNumber = 0;
        foreach (string raw in File.ReadLines(path))
        {
            lineNumber++;
            string line = raw.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            if (keys.Count == 0 && !csv && line.StartsWith("imei,", StringComparison.OrdinalIgnoreCase))
            {
                csv = true;
                continue;
            }
            string[] fields = line.Split(',');
            if (Imei.TryParse(fields[0].Trim().AsSpan(), out Imei imei) == ImeiParseResult.Malformed)
                throw new FormatException($"{path}:{lineNumber}: '{fields[0]}' is not an IMEI (14, 15 or 16 digits)");
            sbyte expectation = NoExpectation;
            if (csv)
            {
                if (fields.Length < 2 || !Names.TryParseList(fields[1], out ListKind list))
                    throw new FormatException($"{path}:{lineNumber}: expected imei,list,... with list white, grey or black");
                expectation = list switch
                {
                    ListKind.White => (sbyte)EquipmentStatus.Whitelisted,
                    ListKind.Black => (sbyte)EquipmentStatus.Blacklisted,
                    // A grey record past its deadline is answered BLACKLISTED (rule 6): only check in-date ones.
                    _ => fields.Length >= 4 && DeadlineInFuture(fields[3]) ? (sbyte)EquipmentStatus.Greylisted : NoExpectation,
                };
            }
            keys.Add(imei.Key);
            expected.Add(expectation);
        }
        if (keys.Count == 0) throw new FormatException($"{path}: no IMEIs");
        return new RequestSource([.. keys], [.. expected], $"{keys.Count} IMEIs from {path}");
    }

    private static bool DeadlineInFuture(string text) =>
        DateTimeOffset.TryParse(text.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset when)
        && when > DateTimeOffset.UtcNow.AddMinutes(1);

    /// <summary>The grey deadline the file gave key <paramref name="index"/>, in Unix seconds.</summary>
    public long GreyDeadline(long index) => _listsDayUnixSeconds + _keyspace!.RecordAt(index).GreyDays * 86_400L;

    /// <summary>The packed IMEI key and the expected Equipment-Status (or a NoExpectation / ExpectEquipmentUnknown marker) of key <paramref name="index"/>.</summary>
    public (ulong Key, sbyte Expected) At(long index)
    {
        if (_keyspace is not null)
        {
            KeyKind kind = _keyspace.KindAt(index);
            ulong key = _keyspace.ImeiAt(index).Key;
            if (kind == KeyKind.Grey && DateTimeOffset.UtcNow.ToUnixTimeSeconds() >= GreyDeadline(index))
                return (key, (sbyte)EquipmentStatus.Blacklisted); // its grace is over: the EIR blocks it
            return (key, _expectedByKind[(int)kind]);
        }
        return (_keys![index], _expected![index]);
    }
}
