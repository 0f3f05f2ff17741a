namespace ImeiEir.Core;

/// <summary>How decision rule 7 answers an IMEI that no list knows, once the regime has started.</summary>
public enum UnknownAnswer
{
    /// <summary>
    /// GREYLISTED with a provisional grey record (deadline = now + grace period) and a sighting reported to the
    /// registry. The regime's own behaviour and the default.
    /// </summary>
    Grey = 0,

    /// <summary>
    /// "Equipment unknown": S13 answers Experimental-Result 5422 DIAMETER_ERROR_EQUIPMENT_UNKNOWN (TS 29.272 §7.4.3),
    /// N5g-eir answers 404 ERROR_EQUIPMENT_UNKNOWN (TS 29.511 §6.1.7.3); no record is stored.
    /// </summary>
    EquipmentUnknown = 1,
}
