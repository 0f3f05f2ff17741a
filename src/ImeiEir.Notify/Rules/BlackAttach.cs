using ImeiEir.Core;

namespace ImeiEir.Notify.Rules;

/// <summary>A subscriber whose black device tried to attach: what the blocked-attach notice needs.</summary>
/// <param name="Imei">The device.</param>
/// <param name="Imsi">The subscriber (5 to 15 digits).</param>
/// <param name="SeenUnixSeconds">When the node refused the attach; its local day is the notice's day.</param>
public readonly record struct BlackAttach(Imei Imei, string Imsi, long SeenUnixSeconds);
