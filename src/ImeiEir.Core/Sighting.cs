namespace ImeiEir.Core;

/// <summary>Why an EIR node reports an attach to the registry.</summary>
public enum SightingKind : byte
{
    /// <summary>An unknown IMEI answered with provisional grey (docs/ARCHITECTURE.md, rule 7): the registry's first one sets the deadline.</summary>
    FirstSeen = 1,

    /// <summary>A grey IMEI attached with this IMSI (who is using the device during its grace period).</summary>
    GreyAttach = 2,

    /// <summary>A black IMEI tried to attach with this IMSI.</summary>
    BlackAttach = 3,

    /// <summary>
    /// A home subscriber attached a device that is neither grey nor black (white, M2M, legacy, an invalid IMEI): the
    /// (IMEI, IMSI) pair, for the registry's clone watch and the status SMS of a SIM's first device. Grey and black
    /// attaches are pairs already, as <see cref="GreyAttach"/> and <see cref="BlackAttach"/>.
    /// </summary>
    HomeAttach = 4,
}

/// <summary>
/// One attach an EIR node reports to the registry: which device, which subscriber, when (the node's clock, Unix
/// seconds UTC). Fixed size and blittable so the hot path can queue it without allocating; on the wire it is
/// <see cref="SightingCodec"/>'s 24 bytes.
/// </summary>
public readonly record struct Sighting(ulong ImeiKey, PackedImsi Imsi, uint SeenUnixSeconds, SightingKind Kind)
{
    public Imei Imei => Imei.FromKey(ImeiKey);
}
