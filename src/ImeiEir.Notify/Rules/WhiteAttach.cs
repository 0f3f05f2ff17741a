using ImeiEir.Core;

namespace ImeiEir.Notify.Rules;

/// <summary>A home subscriber's SIM seen in a white device (a pair report): what the status SMS needs.</summary>
/// <param name="Imei">The device.</param>
/// <param name="Imsi">The subscriber (5 to 15 digits).</param>
/// <param name="SeenUnixSeconds">When the node saw the attach.</param>
public readonly record struct WhiteAttach(Imei Imei, string Imsi, long SeenUnixSeconds);
