namespace ImeiEir.Core;

/// <summary>
/// The answer to "is this IMEI allowed?". Values are the wire values of the S13 Equipment-Status AVP
/// (3GPP TS 29.272 §7.3.51), so the codec can write them without a mapping table.
/// </summary>
public enum EquipmentStatus : byte
{
    Whitelisted = 0,
    Blacklisted = 1,
    Greylisted = 2,
}
