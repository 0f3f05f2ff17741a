using ImeiEir.Core;

namespace ImeiEir.Notify.Rules;

/// <summary>A subscriber seen with a grey device: what the grey-start notice needs.</summary>
/// <param name="Imei">The device.</param>
/// <param name="Imsi">The subscriber (5 to 15 digits).</param>
/// <param name="DeadlineUnixSeconds">The registry's grey deadline (first seen + grace period).</param>
/// <param name="SeenUnixSeconds">When the node saw the attach.</param>
public readonly record struct GreyAttach(Imei Imei, string Imsi, uint DeadlineUnixSeconds, long SeenUnixSeconds);
