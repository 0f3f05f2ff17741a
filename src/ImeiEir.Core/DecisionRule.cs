namespace ImeiEir.Core;

/// <summary>
/// Which of the decision rules (docs/ARCHITECTURE.md, "Decision rules") produced a <see cref="Decision"/>. A small closed set, so it can label
/// metrics. Rule 1 (malformed IMEI) is the caller's and has no value here.
/// </summary>
public enum DecisionRule : byte
{
    /// <summary>Rule 2: a black record. BLACKLISTED for everyone, roamers included; the record's reason.</summary>
    Black = 0,

    /// <summary>Rule 3: a white record. WHITELISTED; the record's reason.</summary>
    White = 1,

    /// <summary>Rule 4: an inbound roamer (IMSI known and outside the home networks). WHITELISTED.</summary>
    ExemptRoamer = 2,

    /// <summary>Rule 4: an M2M device (TAC or IMSI in the configured M2M ranges, or an exempt device type in the TAC database). WHITELISTED.</summary>
    ExemptM2m = 3,

    /// <summary>Rule 5: a wrong check digit, a TAC in the invalid ranges, or one the TAC database lacks when it is required. BLACKLISTED, reason invalid-imei.</summary>
    InvalidImei = 4,

    /// <summary>Rule 6: a grey record before its deadline. GREYLISTED; the record's reason and deadline.</summary>
    Grey = 5,

    /// <summary>Rule 6: a grey record at or after its deadline. BLACKLISTED, reason grey-expired.</summary>
    GreyExpired = 6,

    /// <summary>Rule 7: unknown before the regime start. WHITELISTED, reason legacy.</summary>
    UnknownLegacy = 7,

    /// <summary>Rule 7: unknown after the regime start. GREYLISTED; the caller stores a provisional grey record.</summary>
    UnknownProvisionalGrey = 8,

    /// <summary>Rule 7 with <see cref="UnknownAnswer.EquipmentUnknown"/>: answer "equipment unknown".</summary>
    UnknownEquipment = 9,

    /// <summary>Rule 2a: a paired IMEI attached by a home IMSI that is not one of its pairs. BLACKLISTED, reason cloned.</summary>
    Cloned = 10,
}
