using ImeiEir.Core;

namespace ImeiEir.Notify.Pairs;

/// <summary>A subscriber seen with a device, and when first.</summary>
public readonly record struct SeenPair(Imei Imei, PackedImsi Imsi, long FirstSeenUnixSeconds);
