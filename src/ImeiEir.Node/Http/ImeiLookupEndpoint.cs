using System.Diagnostics;
using ImeiEir.Core;
using ImeiEir.Core.Tac;
using ImeiEir.Node.Checking;
using ImeiEir.Node.Observability;
using Microsoft.AspNetCore.Http;

namespace ImeiEir.Node.Http;

/// <summary>
/// Check before purchase: <c>GET /v1/imei/{imei}</c> (14, 15 or 16 digits) → the list, reason, grey deadline, the
/// IMEI as asked (14 digits completed to 15), whether its check digit is right, whether it works now, the manufacturer and model from the TAC database (or that it lacks the TAC), and a verdict in Russian, Kazakh and English. Read-only: looking a phone up
/// is not an attach, so an unknown IMEI gets no provisional grey record and no sighting. Rate-limited per client.
/// </summary>
internal static class ImeiLookupEndpoint
{
    public const string Path = "/v1/imei/{imei}";

    public static IResult Handle(HttpContext context, string imei, CheckerPool checkers, NodeMetrics metrics)
    {
        long started = Stopwatch.GetTimestamp();
        ImeiParseResult parse = Imei.TryParse(imei.AsSpan(), out Imei parsed);
        if (parse == ImeiParseResult.Malformed)
        {
            metrics.RecordHttp(AnswerInterface.Lookup, AnswerKind.Error, started);
            string shown = imei.Length <= 40 ? imei : imei[..40] + "…";
            return ProblemResults.Problem(400, "Not an IMEI", $"'{shown}' is not an IMEI: give 14, 15 or 16 digits (dial *#06# on the phone to see it)",
                invalidParam: "imei");
        }

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
        if (!checkedIt)
        {
            metrics.RecordHttp(AnswerInterface.Lookup, AnswerKind.Error, started);
            return ProblemResults.StoreIncomplete(context);
        }

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

        metrics.RecordHttp(AnswerInterface.Lookup, unknownNow ? AnswerKind.NotRegistered : AnswerKinds.Of(decision.Status), started);
        return Results.Json(new
        {
            // The IMEI asked about: 14 digits get their check digit; 15 and 16 (IMEISV) are echoed as given, so a
            // wrong check digit is never replaced by the right one (that would be another phone's IMEI).
            imei = imei.Length == 14 ? parsed.ToString() : imei,
            list = registered ? record.List.ToName() : "none",
            reason = registered ? record.Reason.ToName() : null,
            deadline = deadline != 0 ? DateTimeOffset.FromUnixTimeSeconds(deadline).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture) : null,
            deadlineLocalDate = deadlineDate,
            status = unknownNow ? null : decision.Status.ToName(),
            answeredReason = unknownNow ? null : decision.Reason.ToName(),
            // Unknown: it would be served (grey, for the grace period) at its first attach; "equipment unknown" is
            // the operator's call, so no promise either way.
            works = decision.IsEquipmentUnknown ? (bool?)null : decision.Status != EquipmentStatus.Blacklisted,
            checkDigitValid,
            // null when the node has no TAC database; false for a TAC it lacks.
            tacKnown = tacs is null ? (bool?)null : device is not null,
            manufacturer = device?.Manufacturer,
            model = device?.Model,
            deviceType = device?.DeviceType,
            verdict = new { ru, kk, en },
        }, ProblemResults.Json);
    }
}
