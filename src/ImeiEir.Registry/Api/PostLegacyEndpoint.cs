using System.Text.Json;
using ImeiEir.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace ImeiEir.Registry;

/// <summary>
/// <c>POST /v1/legacy[?comment=TEXT]</c>, admin token: an operator's legacy dump as <c>text/csv</c>
/// (<see cref="LegacyDumpParser"/>) → 200 <c>{"imported", "unchanged", "keptBlack", "tooLate", "rejected",
/// "firstSequence", "lastSequence", "lines": [{"line", "imei", "outcome": "kept-black" | "too-late" | "rejected",
/// "reason"}]}</c> | 400 | 401 | 413 | 503. Devices first seen before <c>Policy:RegimeStart</c> become white (legacy);
/// bad lines are reported and skipped, the rest is one write.
/// </summary>
internal static class PostLegacyEndpoint
{
    public static async Task HandleAsync(HttpContext context)
    {
        RegistryService registry = context.RequestServices.GetRequiredService<RegistryService>();
        RegistryOptions options = registry.Options;
        if (ApiAccess.Authorize(context, registry, ApiRight.Write) is not { } caller)
        {
            await ApiProblems.UnauthorizedAsync(context, "POST /v1/legacy needs the admin token: Authorization: Bearer <admin token>");
            return;
        }
        if (context.Request.ContentLength > options.MaxDeltaBytes)
        {
            await ApiProblems.ProblemAsync(context, 413, "Dump too large", $"the body has {context.Request.ContentLength} bytes, over the limit of {options.MaxDeltaBytes} (Registry:MaxDeltaBytes); split the dump");
            return;
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = options.MaxDeltaBytes;

        LegacyDump dump;
        try
        {
            dump = await LegacyDumpParser.ParseAsync(context.Request.Body, options.MaxDeltaLines, registry.Calendar, context.RequestAborted);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await ApiProblems.ProblemAsync(context, 413, "Dump too large", $"the body is over the limit of {options.MaxDeltaBytes} bytes (Registry:MaxDeltaBytes); split the dump");
            return;
        }
        if (dump.Failure is { } failure)
        {
            await ApiProblems.ProblemAsync(context, 413, "Dump too large", failure);
            return;
        }

        long regimeStart = context.RequestServices.GetService<DecisionPolicy>()?.RegimeStartUnixSeconds
            ?? new PolicyOptions().RegimeStart.ToUnixTimeSeconds();
        var by = new Attribution(caller.Name, context.Request.Query["comment"].ToString() is { Length: > 0 } c ? c : null);
        LegacyImportReport report;
        try
        {
            report = await LegacyImporter.ImportAsync(registry, dump, regimeStart, by, ApiProblems.Logger(context) ?? NullLogger.Instance, context.RequestAborted);
        }
        catch (InvalidOperationException e)
        {
            await ApiProblems.UnavailableAsync(context, e, "nothing was imported");
            return;
        }
        await WriteReportAsync(context, report);
    }

    private static async Task WriteReportAsync(HttpContext context, LegacyImportReport report)
    {
        HttpResponse response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(response.BodyWriter);
        json.WriteStartObject();
        json.WriteNumber("imported", report.Imported);
        json.WriteNumber("unchanged", report.Unchanged);
        json.WriteNumber("keptBlack", report.KeptBlack);
        json.WriteNumber("tooLate", report.TooLate);
        json.WriteNumber("rejected", report.Rejected);
        json.WriteNumber("firstSequence", report.FirstSequence);
        json.WriteNumber("lastSequence", report.LastSequence);
        await StreamedJsonArray.WriteAsync(json, "lines", report.Lines, static (json, line) =>
        {
            json.WriteStartObject();
            json.WriteNumber("line", line.Line);
            if (line.Imei is { } imei) json.WriteString("imei", imei.ToString());
            json.WriteString("outcome", line.Outcome switch
            {
                LegacyOutcome.KeptBlack => "kept-black",
                LegacyOutcome.TooLate => "too-late",
                _ => "rejected",
            });
            if (line.Reason is { } reason) json.WriteString("reason", reason);
            json.WriteEndObject();
        }, context.RequestAborted);
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }
}
