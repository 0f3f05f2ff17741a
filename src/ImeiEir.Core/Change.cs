namespace ImeiEir.Core;

/// <summary>What a change does to one IMEI's record.</summary>
public enum ChangeOp : byte
{
    /// <summary>Put the IMEI on <see cref="Change.List"/> with its reason (and deadline for grey).</summary>
    Set = 1,

    /// <summary>Take the IMEI off every list: it is unknown again. Kept as a tombstone so replays stay idempotent.</summary>
    Remove = 2,

    /// <summary>
    /// Make <see cref="Change.Imsi"/> one of the IMEI's rightful IMSIs (docs/ARCHITECTURE.md, rule 2a); the record's
    /// list, reason and deadline stay as they are.
    /// </summary>
    Pair = 3,

    /// <summary>Take <see cref="Change.Imsi"/> off the IMEI's rightful IMSIs; the list stays as it is.</summary>
    Unpair = 4,
}

/// <summary>Who made a change.</summary>
public enum ChangeOrigin : byte
{
    Admin = 1,
    Lifecycle = 2,
    Sighting = 3,
}

/// <summary>
/// One entry of the registry's change log and feed: the registry numbers every change; an EIR node applies them
/// in order and, because a record keeps the number that set it, applying one twice changes nothing.
/// A replace (service centre swapping a module) is two changes with consecutive numbers: the old IMEI black
/// (service-replacement) and the new one white, each naming the other in <see cref="RelatedImeiKey"/>.
/// </summary>
public readonly record struct Change
{
    /// <summary>Registry sequence number, from 1, strictly increasing.</summary>
    public ulong Sequence { get; init; }

    public ulong ImeiKey { get; init; }

    public ChangeOp Op { get; init; }

    public ListKind List { get; init; }

    public Reason Reason { get; init; }

    /// <summary>Grey deadline, Unix seconds UTC; 0 unless the list is grey.</summary>
    public uint DeadlineUnixSeconds { get; init; }

    /// <summary>When the registry accepted the change, Unix milliseconds UTC.</summary>
    public long TimeUnixMilliseconds { get; init; }

    public ChangeOrigin Origin { get; init; }

    /// <summary>For a replace, the other IMEI of the pair; 0 otherwise.</summary>
    public ulong RelatedImeiKey { get; init; }

    /// <summary>For <see cref="ChangeOp.Pair"/> and <see cref="ChangeOp.Unpair"/>, the IMSI; <see cref="PackedImsi.None"/> otherwise.</summary>
    public PackedImsi Imsi { get; init; }

    /// <summary>A pair or unpair: it changes the IMEI's rightful IMSIs, not its list.</summary>
    public bool IsPairing => Op is ChangeOp.Pair or ChangeOp.Unpair;

    public Imei Imei => Imei.FromKey(ImeiKey);

    /// <summary>
    /// The record this set or remove leaves in a store: a tombstone (list None) for a removal. Pairing is not the
    /// list's business, so <paramref name="paired"/> (the record's <see cref="ImeiRecord.IsPaired"/> before) is kept.
    /// For a pair or unpair use <see cref="ToPairedRecord"/>.
    /// </summary>
    public ImeiRecord ToRecord(bool paired = false) => Op == ChangeOp.Remove
        ? new ImeiRecord(ListKind.None, Reason, 0, Sequence) { IsPaired = paired }
        : new ImeiRecord(List, Reason, List == ListKind.Grey ? DeadlineUnixSeconds : 0, Sequence) { IsPaired = paired };

    /// <summary>
    /// The record a pair or unpair leaves: <paramref name="current"/>'s list, reason and deadline (a fresh tombstone when
    /// there was none), this change's number, and whether any rightful IMSI remains.
    /// </summary>
    public ImeiRecord ToPairedRecord(in ImeiRecord current, bool pairedAfter) => current with { Sequence = Sequence, IsPaired = pairedAfter };
}
