using ImeiEir.Core.Tac;

namespace ImeiEir.Core;

/// <summary>
/// docs/ARCHITECTURE.md, rules 2 to 7 (with 2a, pairing), compiled from <see cref="PolicyOptions"/>. Immutable and thread-safe:
/// one instance serves every connection. <see cref="Decide"/> allocates nothing and takes no locks.
/// </summary>
public sealed class DecisionPolicy
{
    private readonly long _graceSeconds;
    private readonly long _regimeStartUnixSeconds;
    private readonly bool _answerEquipmentUnknown;
    private readonly ImsiPrefixSet _homeNetworks;
    private readonly ImsiPrefixSet _m2mImsis;
    private readonly DigitRangeSet _m2mTacs;
    private readonly DigitRangeSet _invalidTacs;
    private readonly bool _requireKnownTac;
    private readonly DeviceTypeSet _exemptDeviceTypes;

    private DecisionPolicy(PolicyOptions options)
    {
        Options = options;
        _graceSeconds = options.GracePeriod.Ticks / TimeSpan.TicksPerSecond;
        _regimeStartUnixSeconds = options.RegimeStart.ToUnixTimeSeconds();
        _answerEquipmentUnknown = options.UnknownAnswer == UnknownAnswer.EquipmentUnknown;
        _homeNetworks = new ImsiPrefixSet(ParseHomeNetworks(options.HomeNetworks));
        _m2mImsis = new ImsiPrefixSet(ParseRanges(options.M2mImsiRanges, PolicyOptions.MinImsiRangeDigits, ImsiText.MaxDigits));
        _m2mTacs = new DigitRangeSet(ParseRanges(options.M2mTacRanges, PolicyOptions.TacDigits, PolicyOptions.TacDigits));
        _invalidTacs = new DigitRangeSet(ParseRanges(options.InvalidTacRanges, PolicyOptions.TacDigits, PolicyOptions.TacDigits));
        _requireKnownTac = options.RequireKnownTac;
        _exemptDeviceTypes = new DeviceTypeSet(options.ExemptDeviceTypes);
    }

    /// <summary>
    /// Validates and compiles <paramref name="options"/>. Throws <see cref="PolicyConfigurationException"/> whose
    /// message is the first line of <see cref="PolicyOptions.Validate"/> when they are invalid.
    /// </summary>
    public static DecisionPolicy Create(PolicyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        List<(string Key, string Message)> problems = options.FindProblems();
        if (problems.Count > 0)
        {
            var lines = new List<string>(problems.Count);
            foreach ((string key, string message) in problems) lines.Add($"{key}: {message}");
            throw new PolicyConfigurationException(problems[0].Key, problems[0].Message, lines);
        }
        return new DecisionPolicy(options.Clone());
    }

    /// <summary>The options this policy was compiled from: a private copy taken by <see cref="Create"/>; do not modify.</summary>
    public PolicyOptions Options { get; }

    /// <summary>Rule 7: the regime start in Unix seconds.</summary>
    public long RegimeStartUnixSeconds => _regimeStartUnixSeconds;

    /// <summary>Rule 7: the grace period in whole seconds.</summary>
    public long GraceSeconds => _graceSeconds;

    /// <summary>
    /// Decides rules 2 to 7 (docs/ARCHITECTURE.md) in order, as a pure function of its arguments.
    /// </summary>
    /// <param name="found">Whether the store holds a record for the IMEI. A record whose list is
    /// <see cref="ListKind.None"/> (or a value this build does not know) counts as not found.</param>
    /// <param name="record">The stored record; ignored when <paramref name="found"/> is false.</param>
    /// <param name="imei">The parsed IMEI key.</param>
    /// <param name="parse">The parse outcome. Rule 1 is the caller's: it answers <see cref="ImeiParseResult.Malformed"/>
    /// with a protocol error and never calls this. Should it do so anyway, the answer fails closed: BLACKLISTED,
    /// invalid-imei.</param>
    /// <param name="imsiUtf8">The subscriber's IMSI as ASCII digits; empty when unknown. Anything that is not 5 to 15
    /// digits is treated as unknown, so garbage never earns the roamer exemption.</param>
    /// <param name="nowUnixSeconds">The current time in Unix seconds (UTC).</param>
    /// <param name="tacs">The TAC database in force, or null when none is loaded: then
    /// <see cref="PolicyOptions.RequireKnownTac"/> and <see cref="PolicyOptions.ExemptDeviceTypes"/> change nothing.</param>
    /// <param name="imsiPaired">Whether <paramref name="imsiUtf8"/> is one of the IMEI's rightful IMSIs. The caller
    /// looks it up only when <paramref name="record"/> <see cref="ImeiRecord.IsPaired"/>; it matters only then.</param>
    public Decision Decide(bool found, in ImeiRecord record, Imei imei, ImeiParseResult parse, ReadOnlySpan<byte> imsiUtf8, long nowUnixSeconds,
        TacTable? tacs = null, bool imsiPaired = false)
    {
        if (parse is not (ImeiParseResult.Valid or ImeiParseResult.BadCheckDigit))
            return Decision.Of(EquipmentStatus.Blacklisted, Reason.InvalidImei, DecisionRule.InvalidImei);

        ListKind list = found ? record.List : ListKind.None;

        // Rule 2: black is for everyone, roamers and M2M included.
        if (list == ListKind.Black)
            return Decision.Of(EquipmentStatus.Blacklisted, record.Reason, DecisionRule.Black);

        // Rule 2a: a paired IMEI belongs to its rightful IMSIs; another home subscriber holds a clone. A roamer falls
        // through to rule 4 and an attach without an IMSI to the list, as for an unpaired IMEI.
        if (found && record.IsPaired && !imsiPaired && IsHomeSubscriber(imsiUtf8))
            return Decision.Of(EquipmentStatus.Blacklisted, Reason.Cloned, DecisionRule.Cloned);

        // Rule 3.
        if (list == ListKind.White)
            return Decision.Of(EquipmentStatus.Whitelisted, record.Reason, DecisionRule.White);

        // Rule 4: the regime applies only to home subscribers and non-M2M devices. An unknown IMSI is not a roamer.
        bool imsiKnown = ImsiText.IsValidImsi(imsiUtf8);
        if (imsiKnown && !_homeNetworks.Matches(imsiUtf8))
            return Decision.Of(EquipmentStatus.Whitelisted, Reason.None, DecisionRule.ExemptRoamer);

        uint tac = imei.Tac;
        if (_m2mTacs.Contains(tac) || (imsiKnown && _m2mImsis.Matches(imsiUtf8)))
            return Decision.Of(EquipmentStatus.Whitelisted, Reason.None, DecisionRule.ExemptM2m);

        // Rules 4 and 5 by the TAC database, when one is loaded: its exempt device types, and a TAC it lacks.
        int tacIndex = tacs is null ? -1 : tacs.IndexOf(tac);
        if (tacIndex >= 0 && _exemptDeviceTypes.Count > 0 && tacs!.IsDeviceTypeIn(tacIndex, _exemptDeviceTypes))
            return Decision.Of(EquipmentStatus.Whitelisted, Reason.None, DecisionRule.ExemptM2m);

        // Rule 5: invalid beats a grey record and an unknown IMEI, but not a white one (rule 3 came first).
        if (parse == ImeiParseResult.BadCheckDigit || _invalidTacs.Contains(tac) || (tacIndex < 0 && _requireKnownTac && tacs is not null))
            return Decision.Of(EquipmentStatus.Blacklisted, Reason.InvalidImei, DecisionRule.InvalidImei);

        // Rule 6: expired is expired even before the registry publishes the black change.
        // A grey record without a deadline (0) stays grey: the registry owns its lifecycle, and blacklisting a
        // subscriber over a record that never had a deadline would fail the wrong way.
        if (list == ListKind.Grey)
        {
            uint deadline = record.DeadlineUnixSeconds;
            return deadline == 0 || nowUnixSeconds < deadline
                ? Decision.Of(EquipmentStatus.Greylisted, record.Reason, DecisionRule.Grey, deadline)
                : Decision.Of(EquipmentStatus.Blacklisted, Reason.GreyExpired, DecisionRule.GreyExpired, deadline);
        }

        // Rule 7.
        if (nowUnixSeconds < _regimeStartUnixSeconds)
            return Decision.Of(EquipmentStatus.Whitelisted, Reason.Legacy, DecisionRule.UnknownLegacy);
        if (_answerEquipmentUnknown)
            return Decision.EquipmentUnknown();
        return Decision.ProvisionalGrey(ProvisionalDeadline(nowUnixSeconds, _graceSeconds));
    }

    /// <summary>
    /// True when <paramref name="imsiUtf8"/> is a valid IMSI that starts with a home network. False for an unknown
    /// (empty) or invalid IMSI, which is not a roamer either: see <see cref="IsInboundRoamer"/>.
    /// </summary>
    public bool IsHomeSubscriber(ReadOnlySpan<byte> imsiUtf8) =>
        ImsiText.IsValidImsi(imsiUtf8) && _homeNetworks.Matches(imsiUtf8);

    /// <summary>Rule 4: a valid IMSI outside every home network.</summary>
    public bool IsInboundRoamer(ReadOnlySpan<byte> imsiUtf8) =>
        ImsiText.IsValidImsi(imsiUtf8) && !_homeNetworks.Matches(imsiUtf8);

    /// <summary>Rule 4: the TAC is in an M2M TAC range, or the (valid) IMSI in an M2M IMSI range.</summary>
    public bool IsM2m(Imei imei, ReadOnlySpan<byte> imsiUtf8) =>
        _m2mTacs.Contains(imei.Tac) || (ImsiText.IsValidImsi(imsiUtf8) && _m2mImsis.Matches(imsiUtf8));

    /// <summary>Rule 5: a TAC database lacking a TAC makes the IMEI invalid (<see cref="PolicyOptions.RequireKnownTac"/>).</summary>
    public bool RequiresKnownTac => _requireKnownTac;

    /// <summary>Rule 5: the TAC is in an invalid range.</summary>
    public bool IsInvalidTac(uint tac) => _invalidTacs.Contains(tac);

    /// <summary>now + grace, clamped to [1, <see cref="uint.MaxValue"/>] (0 would mean "no deadline").</summary>
    public static uint ProvisionalDeadline(long nowUnixSeconds, long graceSeconds)
    {
        // graceSeconds ≤ TimeSpan.MaxValue in seconds (~9.2e11), so neither expression overflows.
        if (nowUnixSeconds >= uint.MaxValue - graceSeconds) return uint.MaxValue;
        long deadline = nowUnixSeconds + graceSeconds;
        return deadline < 1 ? 1u : (uint)deadline;
    }

    private static IEnumerable<DigitRange> ParseHomeNetworks(string[] networks)
    {
        foreach (string network in networks)
        {
            PolicyOptions.TryParseHomeNetwork(network, out DigitRange range);
            yield return range;
        }
    }

    private static IEnumerable<DigitRange> ParseRanges(string[] ranges, int minDigits, int maxDigits)
    {
        foreach (string text in ranges)
        {
            DigitRange.TryParse(text, minDigits, maxDigits, out DigitRange range, out _);
            yield return range;
        }
    }
}
