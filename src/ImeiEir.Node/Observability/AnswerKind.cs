namespace ImeiEir.Node.Observability;

/// <summary>What a request was answered with, as the answers counter labels it.</summary>
internal enum AnswerKind
{
    Whitelisted = 0,
    Blacklisted = 1,
    Greylisted = 2,

    /// <summary>S13 5422 / N5g-eir 404 ERROR_EQUIPMENT_UNKNOWN (only when configured so).</summary>
    EquipmentUnknown = 3,

    /// <summary>Check before purchase of an IMEI no list holds (no attach, so no provisional grey).</summary>
    NotRegistered = 4,

    /// <summary>A protocol or parameter error: S13 5xxx/3xxx, HTTP 400.</summary>
    Error = 5,
}
