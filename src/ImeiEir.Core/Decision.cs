namespace ImeiEir.Core;

/// <summary>
/// The outcome of <see cref="DecisionPolicy.Decide"/>: 8 bytes, returned by value, so the hot path allocates nothing.
/// </summary>
public readonly struct Decision : IEquatable<Decision>
{
    private const byte EquipmentUnknownFlag = 1;
    private const byte ProvisionalGreyFlag = 2;

    private readonly uint _deadline;
    private readonly EquipmentStatus _status;
    private readonly Reason _reason;
    private readonly DecisionRule _rule;
    private readonly byte _flags;

    private Decision(EquipmentStatus status, Reason reason, DecisionRule rule, uint deadline, byte flags)
    {
        _status = status;
        _reason = reason;
        _rule = rule;
        _deadline = deadline;
        _flags = flags;
    }

    /// <summary>
    /// The Equipment-Status to answer. With <see cref="IsEquipmentUnknown"/> there is no status on the wire; the field
    /// then holds <see cref="EquipmentStatus.Greylisted"/> (service, as most MMEs do for 5422), never Whitelisted.
    /// </summary>
    public EquipmentStatus Status => _status;

    /// <summary>
    /// Why: the record's reason for rules 2, 3 and 6 (before the deadline); <see cref="Reason.InvalidImei"/>,
    /// <see cref="Reason.GreyExpired"/>, <see cref="Reason.Legacy"/>, <see cref="Reason.Unverified"/> or <see cref="Reason.Cloned"/> for the
    /// rule that sets it; <see cref="Reason.None"/> for exemptions (rule 4) and "equipment unknown", which put the
    /// IMEI on no list.
    /// </summary>
    public Reason Reason => _reason;

    /// <summary>The rule that decided.</summary>
    public DecisionRule Rule => _rule;

    /// <summary>
    /// Grey deadline in Unix seconds (UTC): the record's for <see cref="DecisionRule.Grey"/> and
    /// <see cref="DecisionRule.GreyExpired"/> (the deadline that passed), now + grace period for
    /// <see cref="DecisionRule.UnknownProvisionalGrey"/>; 0 otherwise, and 0 for a grey record that has none.
    /// </summary>
    public uint DeadlineUnixSeconds => _deadline;

    /// <summary>Rule 7 with <see cref="UnknownAnswer.EquipmentUnknown"/>: S13 answers 5422, HTTP 404.</summary>
    public bool IsEquipmentUnknown => (_flags & EquipmentUnknownFlag) != 0;

    /// <summary>
    /// Rule 7 after the regime start: the caller stores <see cref="ProvisionalRecord"/> and reports a sighting to the
    /// registry (whose first sighting wins, docs/ARCHITECTURE.md, rule 7).
    /// </summary>
    public bool CreatesProvisionalGrey => (_flags & ProvisionalGreyFlag) != 0;

    /// <summary>
    /// The record to store when <see cref="CreatesProvisionalGrey"/>: list grey, reason unverified, the deadline,
    /// sequence 0 (local, so any registry change supersedes it). <c>default</c> otherwise.
    /// </summary>
    public ImeiRecord ProvisionalRecord =>
        CreatesProvisionalGrey ? new ImeiRecord(ListKind.Grey, Reason.Unverified, _deadline, sequence: 0) : default;

    internal static Decision Of(EquipmentStatus status, Reason reason, DecisionRule rule, uint deadline = 0) =>
        new(status, reason, rule, deadline, 0);

    internal static Decision ProvisionalGrey(uint deadline) =>
        new(EquipmentStatus.Greylisted, Reason.Unverified, DecisionRule.UnknownProvisionalGrey, deadline, ProvisionalGreyFlag);

    internal static Decision EquipmentUnknown() =>
        new(EquipmentStatus.Greylisted, Reason.None, DecisionRule.UnknownEquipment, 0, EquipmentUnknownFlag);

    public bool Equals(Decision other) =>
        _status == other._status && _reason == other._reason && _rule == other._rule &&
        _deadline == other._deadline && _flags == other._flags;

    public override bool Equals(object? obj) => obj is Decision other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_status, _reason, _rule, _deadline, _flags);

    public static bool operator ==(Decision left, Decision right) => left.Equals(right);

    public static bool operator !=(Decision left, Decision right) => !left.Equals(right);

    /// <summary>For logs and test failures, e.g. "GREYLISTED unverified (UnknownProvisionalGrey, deadline 1750000000)".</summary>
    public override string ToString()
    {
        string head = IsEquipmentUnknown ? "EQUIPMENT-UNKNOWN" : _status.ToName();
        string tail = _deadline == 0 ? "" : $", deadline {_deadline}";
        // A record read from disk may carry a reason this build does not know; print its number rather than throw.
        string reason = Enum.IsDefined(_reason) ? _reason.ToName() : ((byte)_reason).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return $"{head} {reason} ({_rule}{tail})";
    }
}
