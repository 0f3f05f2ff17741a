namespace ImeiEir.Core.Tac;

/// <summary>One row of the TAC database: an 8-digit Type Allocation Code and the device it names.</summary>
/// <param name="Tac">The TAC, 0 to 99,999,999 (the first 8 digits of the IMEI).</param>
/// <param name="Manufacturer">The manufacturer or brand, as the file gives it; may be empty.</param>
/// <param name="Model">The model or marketing name; may be empty.</param>
/// <param name="DeviceType">The device type, e.g. "Smartphone", "Module", "IoT Device"; may be empty.</param>
public readonly record struct TacEntry(uint Tac, string Manufacturer, string Model, string DeviceType);
