namespace ImeiEir.Diameter;

/// <summary>
/// Result-Code values (RFC 6733 §7.1) and the S13 Experimental-Result-Code (TS 29.272 §7.4.3).
/// 1xxx informational, 2xxx success, 3xxx protocol errors (answer has the E bit), 4xxx transient, 5xxx permanent.
/// </summary>
public static class ResultCodes
{
    /// <summary>DIAMETER_SUCCESS.</summary>
    public const uint Success = 2001;

    /// <summary>DIAMETER_COMMAND_UNSUPPORTED (protocol error).</summary>
    public const uint CommandUnsupported = 3001;

    /// <summary>DIAMETER_UNABLE_TO_DELIVER (protocol error).</summary>
    public const uint UnableToDeliver = 3002;

    /// <summary>DIAMETER_REALM_NOT_SERVED (protocol error).</summary>
    public const uint RealmNotServed = 3003;

    /// <summary>DIAMETER_TOO_BUSY (protocol error): the overload answer (docs/ARCHITECTURE.md, convention 8).</summary>
    public const uint TooBusy = 3004;

    /// <summary>DIAMETER_APPLICATION_UNSUPPORTED (protocol error).</summary>
    public const uint ApplicationUnsupported = 3007;

    /// <summary>DIAMETER_INVALID_HDR_BITS (protocol error).</summary>
    public const uint InvalidHeaderBits = 3008;

    /// <summary>DIAMETER_INVALID_AVP_BITS (protocol error).</summary>
    public const uint InvalidAvpBits = 3009;

    /// <summary>DIAMETER_UNKNOWN_PEER (protocol error): a CER from a peer local policy does not admit (RFC 6733 §5.3).</summary>
    public const uint UnknownPeer = 3010;

    /// <summary>DIAMETER_AVP_UNSUPPORTED: an unknown AVP with the M bit.</summary>
    public const uint AvpUnsupported = 5001;

    /// <summary>DIAMETER_INVALID_AVP_VALUE.</summary>
    public const uint InvalidAvpValue = 5004;

    /// <summary>DIAMETER_MISSING_AVP.</summary>
    public const uint MissingAvp = 5005;

    /// <summary>DIAMETER_AVP_OCCURS_TOO_MANY_TIMES.</summary>
    public const uint AvpOccursTooManyTimes = 5009;

    /// <summary>DIAMETER_NO_COMMON_APPLICATION: CEA when the peer does not support S13.</summary>
    public const uint NoCommonApplication = 5010;

    /// <summary>DIAMETER_UNABLE_TO_COMPLY.</summary>
    public const uint UnableToComply = 5012;

    /// <summary>DIAMETER_INVALID_AVP_LENGTH.</summary>
    public const uint InvalidAvpLength = 5014;

    /// <summary>DIAMETER_INVALID_MESSAGE_LENGTH: the header length disagrees with the bytes given.</summary>
    public const uint InvalidMessageLength = 5015;

    /// <summary>DIAMETER_ERROR_EQUIPMENT_UNKNOWN: an Experimental-Result-Code of vendor 10415 (TS 29.272 §7.4.3).</summary>
    public const uint EquipmentUnknown = 5422;

    /// <summary>True for 3xxx codes, which go into an answer with the E bit (RFC 6733 §7.1.3).</summary>
    public static bool IsProtocolError(uint resultCode) => resultCode - 3000u < 1000u;
}
