namespace ImeiEir.Registry;

/// <summary>What <see cref="ObservedPairTable.Observe"/> did with a pair.</summary>
internal enum PairUpdate : byte
{
    /// <summary>Held already, and its times did not move.</summary>
    Unchanged,

    /// <summary>Held already; seen earlier or later than it knew.</summary>
    Extended,

    /// <summary>A new pair (perhaps in the place of the same IMEI's least recently seen IMSI).</summary>
    Added,

    /// <summary>Not kept: the IMEI already has its most IMSIs, all seen more recently, or the table is at its limit.</summary>
    Refused,
}
