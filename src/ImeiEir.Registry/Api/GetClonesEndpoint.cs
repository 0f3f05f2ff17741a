using System.Globalization;
using System.Text.Json;
using ImeiEir.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ImeiEir.Registry;

/// <summary>
/// <c>GET /v1/clones[?limit=N][&amp;after=IMEI]</c>, reader → 200 the suspected clones by IMEI | 400 | 401 | 503:
/// <code>
/// {"threshold":3,"window":"30.00:00:00","suspected":1,
///  "clones":[{"imei":"352099001761481","count":3,
///             "imsis":[{"imsi":"401011234567890","firstSeen":"2025-09-01T00:00:00Z","lastSeen":"..."}, ...]}],
///  "next":"352099001761481"}      next: pass as after= for the following page; null on the last one
/// </code>
/// </summary>
internal static class GetClonesEndpoint
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 10_000;

    public static async Task HandleAsync(HttpContext context)
    {
        RegistryService registry = context.RequestServices.GetRequiredService<RegistryService>();
        if (ApiAccess.Authorize(context, registry, ApiRight.Read) is null)
        {
            await ApiProblems.UnauthorizedAsync(context, "GET /v1/clones needs a reader or admin credential: Authorization: Bearer <token>");
            return;
        }
        if (context.RequestServices.GetService<CloneWatch>() is not { } clones)
        {
            await ApiProblems.ProblemAsync(context, 503, "No clone watch", "this registry does not watch for clones");
            return;
        }

        int limit = DefaultLimit;
        if (context.Request.Query["limit"].ToString() is { Length: > 0 } limitText
            && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit))
        {
            await ApiProblems.ProblemAsync(context, 400, "Bad limit", $"limit '{DeltaLineReader.Shorten(limitText)}' must be a number from 1 to {MaxLimit}");
            return;
        }
        Imei? after = null;
        if (context.Request.Query["after"].ToString() is { Length: > 0 } afterText)
        {
            if (Imei.TryParse(afterText.AsSpan(), out Imei from) != ImeiParseResult.Valid)
            {
                await ApiProblems.ProblemAsync(context, 400, "Not an IMEI", $"after '{DeltaLineReader.Shorten(afterText)}' is not a valid IMEI (14 digits, or 15 with a right check digit)");
                return;
            }
            after = from;
        }

        IReadOnlyList<SuspectedClone> page = clones.List(after, limit);

        await using Utf8JsonWriter json = ApiJson.Begin(context);
        json.WriteStartObject();
        json.WriteNumber("threshold", clones.Options.Threshold);
        json.WriteString("window", clones.Options.Window.ToString("c", CultureInfo.InvariantCulture));
        json.WriteNumber("suspected", clones.Suspected);
        json.WriteStartArray("clones");
        foreach (SuspectedClone clone in page)
        {
            json.WriteStartObject();
            json.WriteString("imei", clone.Imei.ToString());
            json.WriteNumber("count", clone.Count);
            json.WriteStartArray("imsis");
            foreach (ClonePair pair in clone.Imsis)
            {
                json.WriteStartObject();
                json.WriteString("imsi", pair.Imsi.ToString());
                json.WriteString("firstSeen", Time(pair.FirstSeenUnixSeconds));
                json.WriteString("lastSeen", Time(pair.LastSeenUnixSeconds));
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        if (page.Count == limit) json.WriteString("next", page[^1].Imei.ToString());
        else json.WriteNull("next");
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }

    private static string Time(uint unixSeconds) =>
        DateTimeOffset.FromUnixTimeSeconds(unixSeconds).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
