namespace ImeiEir.Registry;

/// <summary>What a delta line asks for.</summary>
public enum DeltaOp : byte
{
    /// <summary>Put the IMEI on a list with a reason (and a deadline for grey).</summary>
    Set = 1,

    /// <summary>Take the IMEI off every list (a tombstone change).</summary>
    Remove = 2,

    /// <summary>A service centre swapped the module: the old IMEI turns black, the new one white (two changes).</summary>
    Replace = 3,

    /// <summary>Make an IMSI one of the IMEI's rightful IMSIs (docs/ARCHITECTURE.md, rule 2a); its list is untouched.</summary>
    Pair = 4,

    /// <summary>Take an IMSI off the IMEI's rightful IMSIs.</summary>
    Unpair = 5,
}
