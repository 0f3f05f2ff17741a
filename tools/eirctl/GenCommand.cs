using System.CommandLine;
using System.Globalization;
using System.Text;
using ImeiEir.Core;

namespace ImeiEir.Tools.EirCtl;

/// <summary>
/// <c>eirctl gen --count N [--seed S] [--mix white=70,grey=10,black=10,unknown=10] [--out FILE]</c>: a synthetic
/// initial-lists CSV (the format <c>Store:InitialLists</c> loads) for benchmarks and load tests. The same count,
/// seed and mix always give the same IMEIs, so <c>eirload --keys N --seed S --mix ...</c> knows the expected
/// answer of every key without reading the file. Unknown keys are part of the keyspace but not of the file: they
/// are the devices the network has never seen.
/// </summary>
internal static class GenCommand
{
    public static Command Create()
    {
        var count = new Option<long>("--count")
        {
            Description = "Keys in the keyspace (IMEIs); the file holds the white, grey and black ones",
            Required = true,
        };
        var seed = new Option<ulong>("--seed") { Description = "Seed: the same seed gives the same IMEIs", DefaultValueFactory = _ => 1 };
        var mix = new Option<string>("--mix")
        {
            Description = "Share of each list in the keyspace, in percent (weights)",
            DefaultValueFactory = _ => ListMix.Default.ToString(),
        };
        var output = new Option<string?>("--out") { Description = "Output file (default: standard output)" };

        var command = new Command("gen", "Generate a synthetic initial-lists CSV with valid check digits and a realistic mix")
        {
            count, seed, mix, output,
        };
        command.SetAction(parse => Run(parse.GetValue(count), parse.GetValue(seed), parse.GetValue(mix)!, parse.GetValue(output)));
        return command;
    }

    private static int Run(long count, ulong seed, string mixText, string? output)
    {
        if (count is < 1 or > SyntheticKeyspace.MaxKeys)
        {
            Console.Error.WriteLine($"eirctl: --count {count} must be between 1 and {SyntheticKeyspace.MaxKeys}");
            return 1;
        }
        if (!ListMix.TryParse(mixText, out ListMix mix, out string? problem))
        {
            Console.Error.WriteLine($"eirctl: --mix '{mixText}': {problem}");
            return 1;
        }

        var keyspace = new SyntheticKeyspace(count, seed, mix);
        Stream stream = output is null ? Console.OpenStandardOutput() : File.Create(output);
        using (var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 20))
        {
            long written = keyspace.WriteCsv(writer, DateTimeOffset.UtcNow);
            if (output is not null)
                Console.Error.WriteLine($"eirctl: wrote {written} records ({count} keys, mix {mix}, seed {seed}) to {output}");
        }
        return 0;
    }
}

/// <summary>The four kinds of key in a synthetic keyspace: the three lists and "never seen".</summary>
internal enum KeyKind : byte
{
    White = 0,
    Grey = 1,
    Black = 2,
    Unknown = 3,
}

/// <summary>Integer weights of white, grey, black and unknown keys, e.g. <c>white=70,grey=10,black=10,unknown=10</c>.</summary>
internal readonly record struct ListMix(int White, int Grey, int Black, int Unknown)
{
    public static readonly ListMix Default = new(70, 10, 10, 10);

    public int Total => White + Grey + Black + Unknown;

    public int WeightOf(KeyKind kind) => kind switch
    {
        KeyKind.White => White,
        KeyKind.Grey => Grey,
        KeyKind.Black => Black,
        _ => Unknown,
    };

    /// <summary>Parses <c>name=weight</c> pairs; names not given get 0. Weights are whole numbers, total 1 to 10,000.</summary>
    public static bool TryParse(string text, out ListMix mix, out string? problem)
    {
        mix = default;
        int[] weights = new int[4];
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] pair = part.Split('=', StringSplitOptions.TrimEntries);
            int index = pair[0].ToLowerInvariant() switch { "white" => 0, "grey" or "gray" => 1, "black" => 2, "unknown" => 3, _ => -1 };
            if (pair.Length != 2 || index < 0)
            {
                problem = $"'{part}' is not name=weight with name white, grey, black or unknown";
                return false;
            }
            if (!int.TryParse(pair[1], NumberStyles.None, CultureInfo.InvariantCulture, out int weight) || weight > 10_000)
            {
                problem = $"'{pair[1]}' is not a whole number from 0 to 10000";
                return false;
            }
            weights[index] = weight;
        }
        mix = new ListMix(weights[0], weights[1], weights[2], weights[3]);
        if (mix.Total is < 1 or > 10_000)
        {
            problem = "the weights must add up to between 1 and 10000";
            return false;
        }
        problem = null;
        return true;
    }

    public override string ToString() => $"white={White},grey={Grey},black={Black},unknown={Unknown}";
}

/// <summary>
/// A deterministic keyspace of <see cref="Count"/> distinct IMEIs with random access: key <c>i</c> (0 ≤ i &lt; Count)
/// has a fixed IMEI and kind, computed in a few nanoseconds and without allocating, so the load generator can pick
/// random keys and know their expected answer.
/// <para>
/// IMEIs: a pool of <see cref="TacCount"/> distinct TACs under real reporting-body prefixes (35, 86, 01, 49, 99),
/// each with a million serial numbers; <c>i</c> is mapped into that space of 1,024,000,000 slots by an affine
/// permutation (multiplier coprime to the size), so keys are distinct and spread over every TAC. Kinds: key
/// <c>i</c> takes slot <c>i mod total weight</c> of a table laid out by the mix, so every kind gets its share
/// exactly (to within one per table length); the permutation decorrelates kind and IMEI.
/// </para>
/// </summary>
internal sealed class SyntheticKeyspace
{
    public const int TacCount = 1024;
    private const ulong SerialsPerTac = 1_000_000;
    private const ulong Slots = TacCount * SerialsPerTac; // 2^16 · 5^6
    public const long MaxKeys = (long)Slots;

    private static readonly uint[] s_reportingBodies = [35, 86, 1, 49, 99];

    private readonly uint[] _tacs = new uint[TacCount];
    private readonly KeyKind[] _kindTable;
    private readonly ulong _multiplier;
    private readonly ulong _offset;
    private readonly ulong _seed;

    public SyntheticKeyspace(long count, ulong seed, ListMix mix)
    {
        if (count is < 1 or > MaxKeys) throw new ArgumentOutOfRangeException(nameof(count), count, $"1 to {MaxKeys} keys");
        Count = count;
        Mix = mix;
        _seed = seed;

        ulong state = seed ^ 0x5EED_1E1E_0000_0001UL;
        var seen = new HashSet<uint>();
        for (int t = 0; t < TacCount;)
        {
            ulong r = SplitMix(ref state);
            uint tac = s_reportingBodies[(int)(r % (ulong)s_reportingBodies.Length)] * 1_000_000 + (uint)((r >> 8) % 1_000_000);
            if (seen.Add(tac)) _tacs[t++] = tac;
        }

        // Coprime to 2^16·5^6: odd and not a multiple of 5.
        ulong multiplier = (SplitMix(ref state) % Slots) | 1;
        if (multiplier % 5 == 0) multiplier = (multiplier + 2) % Slots;
        _multiplier = multiplier;
        _offset = SplitMix(ref state) % Slots;

        _kindTable = new KeyKind[mix.Total];
        int at = 0;
        foreach (KeyKind kind in new[] { KeyKind.White, KeyKind.Grey, KeyKind.Black, KeyKind.Unknown })
            for (int w = 0; w < mix.WeightOf(kind); w++) _kindTable[at++] = kind;
    }

    public long Count { get; }

    public ListMix Mix { get; }

    /// <summary>The day a file written at <paramref name="now"/> counts its grey deadlines from (the regime's default calendar, as the registry reads bare dates).</summary>
    public static DateOnly ListsDay(DateTimeOffset now) => RegimeCalendar.Default.LocalDate(now);

    /// <summary>00:00 on <paramref name="day"/> in the regime's default calendar, in Unix seconds: a grey deadline of that date.</summary>
    public static long DayStartUnixSeconds(DateOnly day) => RegimeCalendar.Default.StartOfDay(day).ToUnixTimeSeconds();

    /// <summary>The IMEI of key <paramref name="index"/>.</summary>
    public Imei ImeiAt(long index)
    {
        // index and multiplier are below 2^30, so the product fits in 64 bits.
        ulong slot = ((ulong)index * _multiplier + _offset) % Slots;
        return Imei.FromKey(_tacs[slot / SerialsPerTac] * SerialsPerTac + slot % SerialsPerTac);
    }

    /// <summary>The kind of key <paramref name="index"/>.</summary>
    public KeyKind KindAt(long index) => _kindTable[index % _kindTable.Length];

    /// <summary>The list record the file gives key <paramref name="index"/>; a grey one has 1 to 30 days of grace left.</summary>
    public (ListKind List, Reason Reason, int GreyDays) RecordAt(long index)
    {
        ulong h = Hash(index);
        int roll = (int)(h % 100);
        return KindAt(index) switch
        {
            // Most white devices are verified imports; some were produced locally or active before the regime.
            KeyKind.White => (ListKind.White, roll < 55 ? Reason.Verified : roll < 80 ? Reason.Imported : roll < 90 ? Reason.Manufactured : Reason.Legacy, 0),
            KeyKind.Black => (ListKind.Black, roll < 60 ? Reason.Stolen : roll < 85 ? Reason.Counterfeit : Reason.IllegalImport, 0),
            // Grey: first seen within the last 30 days, so 1 to 30 days of grace remain.
            KeyKind.Grey => (ListKind.Grey, Reason.Unverified, 1 + (int)((h >> 8) % 30)),
            _ => (ListKind.None, Reason.None, 0),
        };
    }

    /// <summary>
    /// Writes the CSV (header, then one line per white, grey or black key in index order, 15-digit IMEIs).
    /// Grey deadlines are dates 1 to 30 days after <paramref name="now"/>'s date in Asia/Almaty, so always in the
    /// future. Returns the number of records written.
    /// </summary>
    public long WriteCsv(TextWriter writer, DateTimeOffset now)
    {
        DateOnly today = ListsDay(now);
        var deadlines = new string[31];
        for (int d = 1; d <= 30; d++) deadlines[d] = today.AddDays(d).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

        writer.Write("imei,list,reason,deadline\n");
        Span<byte> digits = stackalloc byte[15];
        Span<char> line = stackalloc char[128];
        long written = 0;
        for (long i = 0; i < Count; i++)
        {
            (ListKind list, Reason reason, int greyDays) = RecordAt(i);
            if (list == ListKind.None) continue;
            ImeiAt(i).TryFormat(digits, out _);
            int n = 0;
            for (int d = 0; d < 15; d++) line[n++] = (char)digits[d];
            line[n++] = ',';
            n += Append(line[n..], list.ToName());
            line[n++] = ',';
            n += Append(line[n..], reason.ToName());
            line[n++] = ',';
            if (greyDays > 0) n += Append(line[n..], deadlines[greyDays]);
            line[n++] = '\n';
            writer.Write(line[..n]);
            written++;
        }
        return written;
    }

    private static int Append(Span<char> destination, string text)
    {
        text.AsSpan().CopyTo(destination);
        return text.Length;
    }

    private ulong Hash(long index)
    {
        ulong state = _seed * 0x9E37_79B9_7F4A_7C15UL + (ulong)index;
        return SplitMix(ref state);
    }

    /// <summary>SplitMix64 (Steele, Lea, Flood 2014): a fast, well-mixed 64-bit generator.</summary>
    internal static ulong SplitMix(ref ulong state)
    {
        ulong z = state += 0x9E37_79B9_7F4A_7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EBUL;
        return z ^ (z >> 31);
    }
}
