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
        LookupAnswer answer = ImeiLookup.Look(imei, checkers);
        if (answer.Kind == LookupKind.Malformed)
        {
            metrics.RecordHttp(AnswerInterface.Lookup, AnswerKind.Error, started);
            string shown = imei.Length <= 40 ? imei : imei[..40] + "…";
            return ProblemResults.Problem(400, "Not an IMEI", $"'{shown}' is not an IMEI: give 14, 15 or 16 digits (dial *#06# on the phone to see it)",
                invalidParam: "imei");
        }
        if (answer.Kind == LookupKind.NotReady)
        {
            metrics.RecordHttp(AnswerInterface.Lookup, AnswerKind.Error, started);
            return ProblemResults.StoreIncomplete(context);
        }

        bool registered = answer.Registered, unknownNow = answer.UnknownNow;
        ImeiRecord record = answer.Record;
        Decision decision = answer.Decision;
        uint deadline = answer.DeadlineUnixSeconds;
        TacEntry? device = answer.Device;
        metrics.RecordHttp(AnswerInterface.Lookup, unknownNow ? AnswerKind.NotRegistered : AnswerKinds.Of(decision.Status), started);
        return Results.Json(new
        {
            // As asked: 14 digits completed, 15 and 16 echoed (ImeiLookup).
            imei = answer.Imei,
            list = registered ? record.List.ToName() : "none",
            reason = registered ? record.Reason.ToName() : null,
            deadline = deadline != 0 ? DateTimeOffset.FromUnixTimeSeconds(deadline).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture) : null,
            deadlineLocalDate = answer.DeadlineLocalDate,
            status = unknownNow ? null : decision.Status.ToName(),
            answeredReason = unknownNow ? null : decision.Reason.ToName(),
            // Unknown: it would be served (grey, for the grace period) at its first attach; "equipment unknown" is
            // the operator's call, so no promise either way.
            works = decision.IsEquipmentUnknown ? (bool?)null : decision.Status != EquipmentStatus.Blacklisted,
            checkDigitValid = answer.CheckDigitValid,
            // null when the node has no TAC database; false for a TAC it lacks.
            tacKnown = answer.HasTacDatabase ? device is not null : (bool?)null,
            manufacturer = device?.Manufacturer,
            model = device?.Model,
            deviceType = device?.DeviceType,
            verdict = new { ru = answer.Ru, kk = answer.Kk, en = answer.En },
        }, ProblemResults.Json);
    }
}
