using ImeiEir.Core;

namespace ImeiEir.Node.Observability;

/// <summary>The answer kinds: what a decision is answered with, and the label each has.</summary>
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
