using System.Diagnostics;
using ImeiEir.Core;
using ImeiEir.Node.Checking;
using ImeiEir.Node.Observability;
using Microsoft.AspNetCore.Http;

namespace ImeiEir.Node.Http;

/// <summary>
/// 3GPP TS 29.511 N5g-eir Equipment Identity Check, the 5G core's (AMF's) S13:
/// <c>GET /n5g-eir-eic/v1/equipment-status?pei=imei-&lt;15&gt;|imeisv-&lt;16&gt;[&amp;supi=imsi-&lt;digits&gt;][&amp;gpsi=...]</c>
/// → 200 <c>{"status":"WHITELISTED"|"BLACKLISTED"|"GREYLISTED"}</c>; 404 ERROR_EQUIPMENT_UNKNOWN (when configured);
/// 400 with a TS 29.500 cause for a missing, repeated or malformed parameter (<see cref="N5gEirQuery"/>). The same decision as S13, sightings included.
/// </summary>
internal static class N5gEirEndpoint
{
    public const string Path = "/n5g-eir-eic/v1/equipment-status";

    public static IResult Handle(HttpContext context, CheckerPool checkers, NodeMetrics metrics)
    {
        long started = Stopwatch.GetTimestamp();
        Span<byte> imsi = stackalloc byte[ImsiText.MaxDigits];
        if (N5gEirQuery.Read(context.Request.Query, imsi, out Imei imei, out ImeiParseResult parse, out int imsiLength) is { } problem)
            return Error(metrics, started, problem);

        EquipmentChecker checker = checkers.Rent();
        Decision decision;
        bool checkedIt;
        try
        {
            checkedIt = checker.TryCheck(imei, parse, imsi[..imsiLength], out decision);
        }
        finally
        {
            checkers.Return(checker);
        }
        if (!checkedIt)
        {
            metrics.RecordHttp(AnswerInterface.N5g, AnswerKind.Error, started);
            return ProblemResults.StoreIncomplete(context);
        }

        if (decision.IsEquipmentUnknown)
        {
            metrics.RecordHttp(AnswerInterface.N5g, AnswerKind.EquipmentUnknown, started);
            return ProblemResults.Problem(404, "Equipment unknown", $"IMEI {imei} is on no list", "ERROR_EQUIPMENT_UNKNOWN");
        }
        metrics.RecordHttp(AnswerInterface.N5g, AnswerKinds.Of(decision.Status), started);
        return Results.Json(new EirResponseData(decision.Status.ToName()), N5gJson.Default.EirResponseData);
    }

    private static IResult Error(NodeMetrics metrics, long started, N5gEirQuery.Problem problem)
    {
        metrics.RecordHttp(AnswerInterface.N5g, AnswerKind.Error, started);
        return ProblemResults.Problem(400, problem.Title, problem.Detail, problem.Cause, problem.Param);
    }
}
