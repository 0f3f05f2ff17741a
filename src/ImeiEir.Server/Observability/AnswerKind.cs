using ImeiEir.Core;

namespace ImeiEir.Server.Observability;

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

internal static class AnswerKinds
{
    public const int Count = 6;

    public static AnswerKind Of(EquipmentStatus status) => status switch
    {
        EquipmentStatus.Whitelisted => AnswerKind.Whitelisted,
        EquipmentStatus.Blacklisted => AnswerKind.Blacklisted,
        _ => AnswerKind.Greylisted,
    };

    /// <summary>The label value: lower case with underscores, as Prometheus label values usually are.</summary>
    public static string Label(AnswerKind kind) => kind switch
    {
        AnswerKind.Whitelisted => "whitelisted",
        AnswerKind.Blacklisted => "blacklisted",
        AnswerKind.Greylisted => "greylisted",
        AnswerKind.EquipmentUnknown => "equipment_unknown",
        AnswerKind.NotRegistered => "not_registered",
        _ => "error",
    };
}

/// <summary>The interfaces a node answers on, as the metrics label them.</summary>
internal enum AnswerInterface
{
    /// <summary>Diameter S13 (4G MME / SGSN).</summary>
    S13 = 0,

    /// <summary>HTTP N5g-eir (5G AMF).</summary>
    N5g = 1,

    /// <summary>HTTP check before purchase.</summary>
    Lookup = 2,
}
