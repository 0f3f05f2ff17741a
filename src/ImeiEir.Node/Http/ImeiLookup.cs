using ImeiEir.Core;
using ImeiEir.Core.Tac;
using ImeiEir.Node.Checking;

namespace ImeiEir.Node.Http;

/// <summary>
/// The check before purchase itself, shared by its JSON endpoint (<see cref="ImeiLookupEndpoint"/>) and the public
/// page (<see cref="CheckPageEndpoint"/>): read-only (no provisional grey record, no sighting), so both say the same.
/// </summary>
internal static class ImeiLookup
{
    public static LookupAnswer Look(string imei, CheckerPool checkers)
    {
        ImeiParseResult parse = Imei.TryParse(imei.AsSpan(), out Imei parsed);
        if (parse == ImeiParseResult.Malformed) return LookupAnswer.Malformed;

        EquipmentChecker checker = checkers.Rent();
        Decision decision;
        bool found, checkedIt;
        ImeiRecord record;
        try
        {
            checkedIt = checker.TryPeek(parsed, parse, out decision, out found, out record);
        }
        finally
        {
            checkers.Return(checker);
        }
        if (!checkedIt) return LookupAnswer.NotReady;

        bool registered = found && record.List != ListKind.None;
        bool unknownNow = !registered && decision.Rule is DecisionRule.UnknownProvisionalGrey;
        if (decision.IsEquipmentUnknown) unknownNow = true;
        uint deadline = registered && record.List == ListKind.Grey ? record.DeadlineUnixSeconds : 0;
        string? deadlineDate = deadline != 0 ? checkers.Clock.Calendar.DeadlineText(deadline) : null;
        long graceDays = checkers.Policy.GraceSeconds / 86_400;
        bool checkDigitValid = parse != ImeiParseResult.BadCheckDigit;
        (string ru, string kk, string en) = Verdicts.For(decision, registered && !decision.IsEquipmentUnknown, deadlineDate, Math.Max(1, graceDays), checkDigitValid);

        // The TAC database, when the node has one: who made the device, or that no such TAC was ever allocated.
        TacTable? tacs = checkers.Tacs.Current;
        int tacIndex = tacs?.IndexOf(parsed.Tac) ?? -1;
        TacEntry? device = tacIndex >= 0 ? tacs![tacIndex] : null;
        if (tacs is not null && device is null)
        {
            ru = "Первых 8 цифр (TAC) этого IMEI нет в базе GSMA: проверьте номер. " + ru;
            kk = "Бұл IMEI-дің алғашқы 8 цифры (TAC) GSMA базасында жоқ: нөмірді тексеріңіз. " + kk;
            en = "The first 8 digits (the TAC) of this IMEI are not in the GSMA database: check the number. " + en;
        }

        return new LookupAnswer(LookupKind.Answered)
        {
            // The IMEI asked about: 14 digits get their check digit; 15 and 16 (IMEISV) are echoed as given, so a
            // wrong check digit is never replaced by the right one (that would be another phone's IMEI).
            Imei = imei.Length == 14 ? parsed.ToString() : imei,
            Registered = registered,
            Record = record,
            Decision = decision,
            UnknownNow = unknownNow,
            DeadlineUnixSeconds = deadline,
            DeadlineLocalDate = deadlineDate,
            CheckDigitValid = checkDigitValid,
            HasTacDatabase = tacs is not null,
            Device = device,
            Ru = ru,
            Kk = kk,
            En = en,
        };
    }
}

/// <summary>How a lookup went.</summary>
internal enum LookupKind
{
    /// <summary>Not 14, 15 or 16 digits.</summary>
    Malformed,

    /// <summary>The node has no complete store yet (answer 503, retry later).</summary>
    NotReady,

    /// <summary>Looked up: the other fields are set.</summary>
    Answered,
}

/// <summary>What a lookup found: the record, the decision an attach would get, and the verdict in three languages.</summary>
internal sealed class LookupAnswer(LookupKind kind)
{
    public static readonly LookupAnswer Malformed = new(LookupKind.Malformed);
    public static readonly LookupAnswer NotReady = new(LookupKind.NotReady);

    public LookupKind Kind { get; } = kind;
    public string Imei { get; init; } = "";
    public bool Registered { get; init; }
    public ImeiRecord Record { get; init; }
    public Decision Decision { get; init; }

    /// <summary>Not on a list: it would be served grey at its first attach, or equipment unknown (the operator's call).</summary>
    public bool UnknownNow { get; init; }
    public uint DeadlineUnixSeconds { get; init; }
    public string? DeadlineLocalDate { get; init; }
    public bool CheckDigitValid { get; init; }
    public bool HasTacDatabase { get; init; }
    public TacEntry? Device { get; init; }
    public string Ru { get; init; } = "";
    public string Kk { get; init; } = "";
    public string En { get; init; } = "";

    /// <summary>The verdict in <paramref name="language"/> (ru, kk or en).</summary>
    public string Verdict(string language) => language switch { "kk" => Kk, "en" => En, _ => Ru };
}
