namespace ImeiEir.Core;

/// <summary>
/// Every number and date of the decision (docs/ARCHITECTURE.md, "Decision rules") and the regime's time zone, bound from configuration section <c>"Policy"</c>.
/// Checked at start-up with <see cref="Validate"/>; compiled by <see cref="DecisionPolicy.Create"/>.
/// </summary>
public sealed class PolicyOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Policy";

    /// <summary>
    /// Rule 7: how long a provisional grey record lasts from first sighting. Whole seconds (fractions are dropped),
    /// at least 1 second. Default 30 days.
    /// </summary>
    public TimeSpan GracePeriod { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// Rule 7: when the regime started. An unknown IMEI seen before it is WHITELISTED (legacy). Default
    /// 2025-05-25 00:00 Asia/Almaty (+05:00).
    /// </summary>
    public DateTimeOffset RegimeStart { get; set; } = new(2025, 5, 25, 0, 0, 0, TimeSpan.FromHours(5));

    /// <summary>
    /// Rule 4: the networks the regime applies to, each an MCC (3 digits) or MCC+MNC (5 or 6 digits). An IMSI that
    /// starts with one is a home subscriber; any other known IMSI is an inbound roamer. At least one. Default ["401"].
    /// Note: Microsoft.Extensions.Configuration's binder appends configured array items to an array that already has
    /// items, so configuring ["40101"] yields ["401", "40101"], not ["40101"].
    /// </summary>
    public string[] HomeNetworks { get; set; } = ["401"];

    /// <summary>
    /// Rule 4: TACs of M2M devices, exempt from the regime: "35000000-35099999" or a single "35000000" (8 digits,
    /// inclusive). Default none.
    /// </summary>
    public string[] M2mTacRanges { get; set; } = [];

    /// <summary>
    /// Rule 4: IMSIs of M2M subscriptions, exempt from the regime: "401017000000000-401017099999999" (equal-length
    /// digit strings of 3 to 15 digits, inclusive, compared with that many leading IMSI digits) or a prefix
    /// "4010170". Default none.
    /// </summary>
    public string[] M2mImsiRanges { get; set; } = [];

    /// <summary>
    /// Rule 5: TACs no real device has; such an IMEI is BLACKLISTED (invalid-imei). Same syntax as
    /// <see cref="M2mTacRanges"/>. Default ["00000000"]; configured ranges are appended to it by the configuration
    /// binder (see <see cref="HomeNetworks"/>).
    /// </summary>
    public string[] InvalidTacRanges { get; set; } = ["00000000"];

    /// <summary>
    /// Rule 5: with a TAC database loaded (<c>eirctl tac import</c>), a TAC it lacks makes the IMEI invalid
    /// (BLACKLISTED, invalid-imei). Without a database nothing changes. Default false.
    /// </summary>
    public bool RequireKnownTac { get; set; }

    /// <summary>
    /// Rule 4: device types of the TAC database exempt as M2M, e.g. ["Module", "IoT Device"] (case ignored). Needs a
    /// TAC database; without one nothing changes. Default none.
    /// </summary>
    public string[] ExemptDeviceTypes { get; set; } = [];

    /// <summary>Rule 7 after the regime start: provisional grey (default) or "equipment unknown".</summary>
    public UnknownAnswer UnknownAnswer { get; set; } = UnknownAnswer.Grey;

    /// <summary>
    /// The regime's time zone (an IANA id): its days are the days of the once-a-day attach reports, the notices and
    /// the daily reminder, a bare-date deadline is 00:00 there, and deadlines are printed as its dates.
    /// Default Asia/Almaty.
    /// </summary>
    public string TimeZone { get; set; } = RegimeCalendar.DefaultTimeZone;

    /// <summary>
    /// Fixed UTC offset used instead of <see cref="TimeZone"/> when this machine has no such zone (no tzdata), or when
    /// its tzdata predates 2024a and still gives Asia/Almaty +06:00. Whole minutes, -14:00 to 14:00. Default 05:00.
    /// </summary>
    public TimeSpan FallbackUtcOffset { get; set; } = RegimeCalendar.DefaultFallbackUtcOffset;

    /// <summary>The regime's calendar as configured here, with this machine's time zones.</summary>
    public RegimeCalendar CreateCalendar() => RegimeCalendar.Create(TimeZone, FallbackUtcOffset, Key(nameof(FallbackUtcOffset)));

    /// <summary>
    /// Every problem as "Policy:Key: message", e.g. "Policy:HomeNetworks[1]: '4O1' is not an MCC (3 digits) or
    /// MCC+MNC (5 or 6 digits)"; empty when the options are valid.
    /// </summary>
    public IReadOnlyList<string> Validate()
    {
        var lines = new List<string>();
        foreach ((string key, string message) in FindProblems()) lines.Add($"{key}: {message}");
        return lines;
    }

    /// <summary>A copy with its own arrays, so later changes to this instance do not reach a compiled policy.</summary>
    internal PolicyOptions Clone() => new()
    {
        GracePeriod = GracePeriod,
        RegimeStart = RegimeStart,
        HomeNetworks = (string[])HomeNetworks.Clone(),
        M2mTacRanges = (string[])M2mTacRanges.Clone(),
        M2mImsiRanges = (string[])M2mImsiRanges.Clone(),
        InvalidTacRanges = (string[])InvalidTacRanges.Clone(),
        RequireKnownTac = RequireKnownTac,
        ExemptDeviceTypes = (string[])ExemptDeviceTypes.Clone(),
        UnknownAnswer = UnknownAnswer,
        TimeZone = TimeZone,
        FallbackUtcOffset = FallbackUtcOffset,
    };

    internal const int TacDigits = 8;
    internal const int MinImsiRangeDigits = 3;

    internal List<(string Key, string Message)> FindProblems()
    {
        var problems = new List<(string, string)>();

        if (GracePeriod < TimeSpan.FromSeconds(1))
            problems.Add((Key(nameof(GracePeriod)), $"{GracePeriod} must be at least 1 second"));

        if (!Enum.IsDefined(UnknownAnswer))
            problems.Add((Key(nameof(UnknownAnswer)), $"'{UnknownAnswer}' is not one of {string.Join(", ", Enum.GetNames<UnknownAnswer>())}"));

        if (HomeNetworks is null)
        {
            problems.Add((Key(nameof(HomeNetworks)), "must not be null"));
        }
        else if (HomeNetworks.Length == 0)
        {
            // With no home network every known IMSI would be a roamer and the regime would apply to nobody.
            problems.Add((Key(nameof(HomeNetworks)), "at least one home network (MCC or MCC+MNC) is required"));
        }
        else
        {
            for (int i = 0; i < HomeNetworks.Length; i++)
            {
                if (!TryParseHomeNetwork(HomeNetworks[i], out _))
                    problems.Add((Key(nameof(HomeNetworks), i), $"'{HomeNetworks[i]}' is not an MCC (3 digits) or MCC+MNC (5 or 6 digits)"));
            }
        }

        if (string.IsNullOrWhiteSpace(TimeZone))
            problems.Add((Key(nameof(TimeZone)), "must name a time zone, e.g. Asia/Almaty"));
        if (FallbackUtcOffset < TimeSpan.FromHours(-14) || FallbackUtcOffset > TimeSpan.FromHours(14) || FallbackUtcOffset.Ticks % TimeSpan.TicksPerMinute != 0)
            problems.Add((Key(nameof(FallbackUtcOffset)), $"{FallbackUtcOffset} must be whole minutes between -14:00 and 14:00"));

        CheckRanges(problems, nameof(M2mTacRanges), M2mTacRanges, TacDigits, TacDigits);
        CheckRanges(problems, nameof(M2mImsiRanges), M2mImsiRanges, MinImsiRangeDigits, ImsiText.MaxDigits);
        CheckRanges(problems, nameof(InvalidTacRanges), InvalidTacRanges, TacDigits, TacDigits);
        if (ExemptDeviceTypes is null)
        {
            problems.Add((Key(nameof(ExemptDeviceTypes)), "must not be null"));
        }
        else
        {
            for (int i = 0; i < ExemptDeviceTypes.Length; i++)
            {
                if (string.IsNullOrWhiteSpace(ExemptDeviceTypes[i]))
                    problems.Add((Key(nameof(ExemptDeviceTypes), i), "must name a device type, e.g. Module"));
            }
        }
        return problems;
    }

    internal static bool TryParseHomeNetwork(string? text, out DigitRange range)
    {
        range = default;
        if (text is null) return false;
        ReadOnlySpan<char> trimmed = text.AsSpan().Trim();
        if (trimmed.Length is not (3 or 5 or 6) || !DigitRange.TryParseDigits(trimmed, 3, 6, out ulong value)) return false;
        range = new DigitRange(value, value, trimmed.Length);
        return true;
    }

    private static void CheckRanges(List<(string, string)> problems, string name, string[]? ranges, int minDigits, int maxDigits)
    {
        if (ranges is null)
        {
            problems.Add((Key(name), "must not be null"));
            return;
        }
        for (int i = 0; i < ranges.Length; i++)
        {
            if (!DigitRange.TryParse(ranges[i], minDigits, maxDigits, out _, out string problem))
                problems.Add((Key(name, i), problem));
        }
    }

    private static string Key(string name) => $"{SectionName}:{name}";

    private static string Key(string name, int index) => $"{SectionName}:{name}[{index}]";
}
