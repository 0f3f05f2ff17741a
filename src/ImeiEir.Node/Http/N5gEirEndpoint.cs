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
/// 400 with a TS 29.500 cause for a missing or malformed parameter. The same decision as S13, sightings included.
/// </summary>
internal static class N5gEirEndpoint
{
    public const string Path = "/n5g-eir-eic/v1/equipment-status";

    public static IResult Handle(HttpContext context, CheckerPool checkers, NodeMetrics metrics)
    {
        long started = Stopwatch.GetTimestamp();
        IQueryCollection query = context.Request.Query;

        if (query["pei"].Count == 0 || string.IsNullOrEmpty(query["pei"][0]))
            return Error(metrics, started, "Missing pei", "the query parameter pei (imei-<15 digits> or imeisv-<16 digits>) is required",
                "MANDATORY_QUERY_PARAM_MISSING", "pei");
        if (query["pei"].Count > 1)
            return Error(metrics, started, "Bad pei", "pei is given more than once", "MANDATORY_QUERY_PARAM_INCORRECT", "pei");
        if (!TryParsePei(query["pei"][0]!, out Imei imei, out ImeiParseResult parse, out string? peiProblem))
            return Error(metrics, started, "Bad pei", peiProblem!, "MANDATORY_QUERY_PARAM_INCORRECT", "pei");

        Span<byte> imsi = stackalloc byte[ImsiText.MaxDigits];
        int imsiLength = 0;
        if (query["supi"].Count > 0 && !string.IsNullOrEmpty(query["supi"][0]))
        {
            if (!TryParseSupi(query["supi"][0]!, imsi, out imsiLength, out string? supiProblem))
                return Error(metrics, started, "Bad supi", supiProblem!, "OPTIONAL_QUERY_PARAM_INCORRECT", "supi");
        }

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

    /// <summary>
    /// TS 29.571 Pei: <c>imei-</c> + 15 digits (the check digit included: a wrong one is rule 5, BLACKLISTED, not an
    /// error) or <c>imeisv-</c> + 16 digits. Other PEI kinds (MAC addresses, EUI-64) are not IMEIs and are refused.
    /// </summary>
    internal static bool TryParsePei(string pei, out Imei imei, out ImeiParseResult parse, out string? problem)
    {
        imei = default;
        parse = ImeiParseResult.Malformed;
        ReadOnlySpan<char> digits;
        int expected;
        if (pei.StartsWith("imei-", StringComparison.Ordinal)) { digits = pei.AsSpan(5); expected = 15; }
        else if (pei.StartsWith("imeisv-", StringComparison.Ordinal)) { digits = pei.AsSpan(7); expected = 16; }
        else
        {
            problem = $"'{Truncate(pei)}' is not an IMEI PEI: expected imei-<15 digits> or imeisv-<16 digits>";
            return false;
        }
        if (digits.Length != expected || (parse = Imei.TryParse(digits, out imei)) == ImeiParseResult.Malformed)
        {
            parse = ImeiParseResult.Malformed;
            problem = $"'{Truncate(pei)}': {(expected == 15 ? "imei- takes 15 digits" : "imeisv- takes 16 digits")}";
            return false;
        }
        problem = null;
        return true;
    }

    /// <summary>TS 29.571 Supi: <c>imsi-</c> + 5 to 15 digits gives the IMSI; <c>nai-</c> is valid but carries none.</summary>
    internal static bool TryParseSupi(string supi, Span<byte> imsi, out int length, out string? problem)
    {
        length = 0;
        problem = null;
        if (supi.StartsWith("nai-", StringComparison.Ordinal) && supi.Length > 4) return true; // no IMSI: not a roamer
        if (supi.StartsWith("imsi-", StringComparison.Ordinal) && ImsiText.TryCopyToUtf8(supi.AsSpan(5), imsi, out length)) return true;
        problem = $"'{Truncate(supi)}' is not a SUPI: expected imsi-<5 to 15 digits> or nai-<...>";
        return false;
    }

    private static IResult Error(NodeMetrics metrics, long started, string title, string detail, string cause, string param)
    {
        metrics.RecordHttp(AnswerInterface.N5g, AnswerKind.Error, started);
        return ProblemResults.Problem(400, title, detail, cause, param);
    }

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
