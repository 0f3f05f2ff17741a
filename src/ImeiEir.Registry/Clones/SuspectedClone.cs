using ImeiEir.Core;

namespace ImeiEir.Registry;

/// <summary>One IMSI seen with a suspected clone, first and last within the window (Unix seconds).</summary>
public readonly record struct ClonePair(PackedImsi Imsi, uint FirstSeenUnixSeconds, uint LastSeenUnixSeconds);

/// <summary>An IMEI seen with at least <see cref="CloneOptions.Threshold"/> distinct IMSIs within the window; its IMSIs, earliest first.</summary>
public sealed record SuspectedClone(Imei Imei, IReadOnlyList<ClonePair> Imsis)
{
    public int Count => Imsis.Count;
}
