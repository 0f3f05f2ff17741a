using System.Text.Json;
using ImeiEir.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ImeiEir.Registry;

/// <summary><c>GET /v1/imei/{imei}</c>, reader or admin token → 200 the record, its rightful IMSIs and its history | 400 | 401 | 404.</summary>
internal static class GetImeiEndpoint
{
    public static async Task HandleAsync(HttpContext context)
    {
        RegistryService registry = context.RequestServices.GetRequiredService<RegistryService>();
        if (!ApiAccess.IsAuthorized(context, registry, ApiRight.Read))
        {
            await ApiProblems.UnauthorizedAsync(context, "GET /v1/imei needs the reader or admin token: Authorization: Bearer <token>");
            return;
        }

        string text = context.Request.RouteValues["imei"] as string ?? "";
        switch (Imei.TryParse(text.AsSpan(), out Imei imei))
        {
            case ImeiParseResult.Malformed:
                await ApiProblems.ProblemAsync(context, 400, "Not an IMEI", $"'{DeltaLineReader.Shorten(text)}' is not an IMEI: expected 14, 15 or 16 digits");
                return;
            case ImeiParseResult.BadCheckDigit:
                await ApiProblems.ProblemAsync(context, 400, "Not an IMEI", $"'{text}' has a wrong check digit: it should be {imei.CheckDigit}");
                return;
        }

        if (!registry.TryGetAny(imei, out ImeiRecord record) || record.Sequence == 0)
        {
            await ApiProblems.ProblemAsync(context, 404, "Unknown IMEI", $"IMEI {imei} has never been on a registry list");
            return;
        }

        PackedImsi[] pairs = record.IsPaired ? registry.GetPairs(imei) : [];
        var history = new List<Change>();
        await foreach (Change change in registry.GetHistoryAsync(imei, context.RequestAborted)) history.Add(change);

        await using Utf8JsonWriter json = ApiJson.Begin(context);
        json.WriteStartObject();
        json.WriteString("imei", imei.ToString());
        json.WriteString("list", record.List.ToName());
        json.WriteString("reason", record.Reason.ToName());
        ChangeJson.WriteDeadline(json, record.DeadlineUnixSeconds, registry.Calendar);
        json.WriteNumber("sequence", record.Sequence);
        // Rule 2a: the IMSIs this IMEI belongs to; any other home IMSI gets BLACKLISTED (cloned).
        json.WriteStartArray("pairedImsis");
        foreach (PackedImsi imsi in pairs) json.WriteStringValue(imsi.ToString());
        json.WriteEndArray();
        json.WriteStartArray("history");
        foreach (Change change in history)
        {
            json.WriteStartObject();
            json.WriteNumber("sequence", change.Sequence);
            ChangeJson.WriteFields(json, change, registry.Calendar);
            (string actor, string? comment) = registry.GetAttribution(change);
            json.WriteString("actor", actor);
            if (comment is null) json.WriteNull("comment");
            else json.WriteString("comment", comment);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }
}
