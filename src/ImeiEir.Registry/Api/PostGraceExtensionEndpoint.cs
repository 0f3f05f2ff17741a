using System.Text.Json;
using ImeiEir.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace ImeiEir.Registry;

/// <summary>
/// <c>POST /v1/grace/extend</c>, admin token, <c>application/json</c>:
/// <c>{"until": DATE, "all": true | "tacRange": "35000000-35099999" | "imeis": [...], "reinstate": bool, "comment": TEXT}</c>
/// → 200 <c>{"extended", "unchanged", "reinstated", "firstSequence", "lastSequence"}</c> | 400 | 401 | 413 | 503.
/// DATE is a deadline as in a delta (a bare date is 00:00 in the regime's time zone) and must be in the future.
/// The selection is decided server-side in one write (<see cref="GraceExtender"/>).
/// </summary>
internal static class PostGraceExtensionEndpoint
{
    private const int TacDigits = 8;

    public static async Task HandleAsync(HttpContext context)
    {
        RegistryService registry = context.RequestServices.GetRequiredService<RegistryService>();
        if (ApiAccess.Authorize(context, registry, ApiRight.Write) is not { } caller)
        {
            await ApiProblems.UnauthorizedAsync(context, "POST /v1/grace/extend needs the admin token: Authorization: Bearer <admin token>");
            return;
        }
        if (context.Request.ContentLength > registry.Options.MaxDeltaBytes)
        {
            await ApiProblems.ProblemAsync(context, 413, "Request too large", $"the body has {context.Request.ContentLength} bytes, over the limit of {registry.Options.MaxDeltaBytes} (Registry:MaxDeltaBytes)");
            return;
        }

        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        }
        catch (JsonException e)
        {
            await ApiProblems.ProblemAsync(context, 400, "Unreadable request", $"the body is not JSON: {e.Message}");
            return;
        }

        using (document)
        {
            long now = context.RequestServices.GetService<RegimeClock>()?.NowUnixSeconds ?? registry.Time.GetUtcNow().ToUnixTimeSeconds();
            if (!TryRead(document.RootElement, registry.Calendar, now, out Request request, out string? problem))
            {
                await ApiProblems.ProblemAsync(context, 400, "Bad grace extension", problem!);
                return;
            }

            GraceExtensionReport report;
            try
            {
                report = await GraceExtender.ExtendAsync(registry, request.Selection, request.Until, request.Reinstate,
                    new Attribution(caller.Name, request.Comment), ApiProblems.Logger(context) ?? NullLogger.Instance, context.RequestAborted);
            }
            catch (InvalidOperationException e)
            {
                await ApiProblems.UnavailableAsync(context, e, "nothing was extended");
                return;
            }

            HttpResponse response = context.Response;
            response.StatusCode = 200;
            response.ContentType = "application/json";
            await using var json = new Utf8JsonWriter(response.BodyWriter);
            json.WriteStartObject();
            json.WriteNumber("extended", report.Extended);
            json.WriteNumber("unchanged", report.Unchanged);
            json.WriteNumber("reinstated", report.Reinstated);
            json.WriteNumber("firstSequence", report.FirstSequence);
            json.WriteNumber("lastSequence", report.LastSequence);
            json.WriteEndObject();
            await json.FlushAsync(context.RequestAborted);
        }
    }

    internal readonly record struct Request(GraceSelection Selection, uint Until, bool Reinstate, string? Comment);

    internal static bool TryRead(JsonElement root, RegimeCalendar calendar, long nowUnixSeconds, out Request request, out string? problem)
    {
        request = default;
        if (root.ValueKind != JsonValueKind.Object) { problem = "expected a JSON object"; return false; }

        if (!root.TryGetProperty("until", out JsonElement untilElement) || untilElement.ValueKind != JsonValueKind.String)
        {
            problem = "until is required: " + DeadlineText.Expected;
            return false;
        }
        string untilText = untilElement.GetString()!;
        if (!DeadlineText.TryParse(untilText, calendar, out uint until, out string? untilProblem))
        {
            problem = $"until '{untilText}' {untilProblem}";
            return false;
        }
        if (until <= nowUnixSeconds)
        {
            problem = $"until '{untilText}' is not in the future: an extension moves deadlines later";
            return false;
        }

        bool all = root.TryGetProperty("all", out JsonElement allElement) && allElement.ValueKind == JsonValueKind.True;
        bool hasTac = root.TryGetProperty("tacRange", out JsonElement tacElement) && tacElement.ValueKind != JsonValueKind.Null;
        bool hasImeis = root.TryGetProperty("imeis", out JsonElement imeisElement) && imeisElement.ValueKind != JsonValueKind.Null;
        if ((all ? 1 : 0) + (hasTac ? 1 : 0) + (hasImeis ? 1 : 0) != 1)
        {
            problem = "give exactly one of all: true, tacRange or imeis";
            return false;
        }

        GraceSelection selection;
        if (all)
        {
            selection = GraceSelection.All();
        }
        else if (hasTac)
        {
            if (tacElement.ValueKind != JsonValueKind.String || !TryParseTacRange(tacElement.GetString()!, out uint from, out uint to))
            {
                problem = $"tacRange {tacElement.GetRawText()} is not a TAC range: 8 digits, or two joined by '-' with the first not above the second";
                return false;
            }
            selection = GraceSelection.TacRange(from, to);
        }
        else
        {
            if (imeisElement.ValueKind != JsonValueKind.Array) { problem = "imeis must be an array of IMEIs"; return false; }
            var imeis = new List<Imei>(imeisElement.GetArrayLength());
            int index = 0;
            foreach (JsonElement item in imeisElement.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String || Imei.TryParse(item.GetString().AsSpan(), out Imei imei) != ImeiParseResult.Valid)
                {
                    problem = $"imeis[{index}] {item.GetRawText()} is not a valid IMEI (14, 15 or 16 digits, right check digit)";
                    return false;
                }
                imeis.Add(imei);
                index++;
            }
            selection = GraceSelection.List(imeis);
        }

        bool reinstate = root.TryGetProperty("reinstate", out JsonElement r) && r.ValueKind == JsonValueKind.True;
        string? comment = root.TryGetProperty("comment", out JsonElement c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
        request = new Request(selection, until, reinstate, comment);
        problem = null;
        return true;
    }

    internal static bool TryParseTacRange(string text, out uint from, out uint to)
    {
        from = to = 0;
        ReadOnlySpan<char> span = text.AsSpan().Trim();
        int dash = span.IndexOf('-');
        ReadOnlySpan<char> low = dash < 0 ? span : span[..dash].Trim();
        ReadOnlySpan<char> high = dash < 0 ? span : span[(dash + 1)..].Trim();
        return TryParseTac(low, out from) && TryParseTac(high, out to) && from <= to;
    }

    private static bool TryParseTac(ReadOnlySpan<char> text, out uint tac)
    {
        tac = 0;
        if (text.Length != TacDigits) return false;
        foreach (char ch in text)
        {
            if ((uint)(ch - '0') > 9) return false;
            tac = tac * 10 + (uint)(ch - '0');
        }
        return true;
    }
}
