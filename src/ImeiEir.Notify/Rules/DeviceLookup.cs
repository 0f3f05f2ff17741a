using ImeiEir.Core;

namespace ImeiEir.Notify.Rules;

/// <summary>Reads a device's current record from the lists (the registry's view); false when it has none.</summary>
public delegate bool DeviceLookup(Imei imei, out ImeiRecord record);
