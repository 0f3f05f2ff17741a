using ImeiEir.Diameter;

namespace ImeiEir.Tools.EirCtl;

/// <summary>The names RFC 6733 §7.1 and TS 29.272 §7.4 give the Result-Codes an EIR answers with.</summary>
internal static class ResultCodeNames
{
    public static string Describe(uint code) => code switch
    {
        ResultCodes.Success => "DIAMETER_SUCCESS",
        ResultCodes.CommandUnsupported => "DIAMETER_COMMAND_UNSUPPORTED",
        ResultCodes.UnableToDeliver => "DIAMETER_UNABLE_TO_DELIVER",
        ResultCodes.TooBusy => "DIAMETER_TOO_BUSY",
        ResultCodes.ApplicationUnsupported => "DIAMETER_APPLICATION_UNSUPPORTED",
        ResultCodes.InvalidHeaderBits => "DIAMETER_INVALID_HDR_BITS",
        ResultCodes.InvalidAvpBits => "DIAMETER_INVALID_AVP_BITS",
        ResultCodes.AvpUnsupported => "DIAMETER_AVP_UNSUPPORTED",
        ResultCodes.InvalidAvpValue => "DIAMETER_INVALID_AVP_VALUE",
        ResultCodes.MissingAvp => "DIAMETER_MISSING_AVP",
        ResultCodes.AvpOccursTooManyTimes => "DIAMETER_AVP_OCCURS_TOO_MANY_TIMES",
        ResultCodes.NoCommonApplication => "DIAMETER_NO_COMMON_APPLICATION",
        ResultCodes.InvalidAvpLength => "DIAMETER_INVALID_AVP_LENGTH",
        ResultCodes.EquipmentUnknown => "DIAMETER_ERROR_EQUIPMENT_UNKNOWN",
        _ => "unknown code",
    };

    public static string EquipmentStatusName(int status) => status switch
    {
        0 => "WHITELISTED",
        1 => "BLACKLISTED",
        2 => "GREYLISTED",
        _ => $"status {status}",
    };
}
