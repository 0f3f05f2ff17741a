namespace ImeiEir.Core;

/// <summary>Why an IMEI is on its list (docs/ARCHITECTURE.md, "Decision rules").</summary>
public enum Reason : byte
{
    None = 0,
    Verified = 1,
    Legacy = 2,
    Imported = 3,
    Manufactured = 4,
    ServiceReplacement = 5,
    Stolen = 6,
    Counterfeit = 7,
    IllegalImport = 8,
    InvalidImei = 9,
    GreyExpired = 10,
    Admin = 11,
    /// <summary>First seen in the network without verification (a grey record from a sighting).</summary>
    Unverified = 12,

    /// <summary>
    /// A paired IMEI attached by a home IMSI that is not one of its pairs (docs/ARCHITECTURE.md, rule 2a): a decision's
    /// reason, never a record's.
    /// </summary>
    Cloned = 13,
}
