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
}
