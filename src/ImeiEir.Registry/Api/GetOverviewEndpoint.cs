using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ImeiEir.Registry;

/// <summary>
/// <c>GET /v1/overview</c>, reader → 200 the registry at a glance (the admin console's first page) | 401 | 503:
/// <code>
/// {"sequence":N,"generation":"G","now":"2026-03-01T10:00:00+05:00",
///  "records":{"white":n,"grey":n,"black":n,"paired":n},                 a scan of the view at most a minute old
///  "changesPerDay":[{"day":"2026-02-16","changes":n}, ...],              the last 14 local days, oldest first
///  "sightings":{"received":n,"firstSightings":n,"since":"..."},          since this process started
///  "greyExpiring":[{"day":"2026-03-01","devices":n}, ...],               today and the next 6 local days
///  "clones":{"suspected":n},
///  "followers":[{"name":"node-a","address":"10.0.0.5","afterSequence":n,"sentSequence":n,"lag":n,
///                "connected":true,"lastSeen":"..."}]}                    lag = sequence − sentSequence
/// </code>
/// Days and times are local to the regime calendar (docs/ARCHITECTURE.md, "The regime calendar").
/// </summary>
internal static class GetOverviewEndpoint
{
    /// <summary>Local days of grey deadlines shown, today first.</summary>
    public const int GreyDays = 7;

    public static async Task HandleAsync(HttpContext context)
    {
        RegistryService registry = context.RequestServices.GetRequiredService<RegistryService>();
        if (ApiAccess.Authorize(context, registry, ApiRight.Read) is null)
        {
            await ApiProblems.UnauthorizedAsync(context, "GET /v1/overview needs a reader or admin credential: Authorization: Bearer <token>");
            return;
        }
        if (context.RequestServices.GetService<RegistryOverview>() is not { } overview)
        {
            await ApiProblems.ProblemAsync(context, 503, "No overview", "this registry keeps no overview");
            return;
        }

        ulong sequence = registry.LastSequence;
        DateTimeOffset now = registry.Time.GetUtcNow();
        TimeZoneInfo zone = registry.Calendar.Zone;
        DateOnly today = registry.Calendar.LocalDate(now);
        ViewCounts counts = await overview.Census.CurrentAsync(context.RequestAborted);
        long[] changes = await overview.Changes.LastDaysAsync(today, context.RequestAborted);
        long suspected = context.RequestServices.GetService<CloneWatch>()?.Suspected ?? 0;
        IReadOnlyList<FeedFollower> followers = context.RequestServices.GetService<FeedFollowers>()?.List(now.ToUnixTimeMilliseconds()) ?? [];

        await using Utf8JsonWriter json = ApiJson.Begin(context);
        json.WriteStartObject();
        json.WriteNumber("sequence", sequence);
        json.WriteString("generation", registry.Generation.ToString());
        json.WriteString("now", Local(now, zone));

        json.WriteStartObject("records");
        json.WriteNumber("white", counts.White);
        json.WriteNumber("grey", counts.Grey);
        json.WriteNumber("black", counts.Black);
        json.WriteNumber("paired", counts.Paired);
        json.WriteEndObject();

        json.WriteStartArray("changesPerDay");
        for (int i = 0; i < changes.Length; i++)
        {
            json.WriteStartObject();
            json.WriteString("day", Day(today.AddDays(i - (changes.Length - 1))));
            json.WriteNumber("changes", changes[i]);
            json.WriteEndObject();
        }
        json.WriteEndArray();

        json.WriteStartObject("sightings");
        json.WriteNumber("received", overview.Received);
        json.WriteNumber("firstSightings", overview.FirstSightings);
        json.WriteString("since", Local(DateTimeOffset.FromUnixTimeMilliseconds(overview.SinceUnixMs), zone));
        json.WriteEndObject();

        json.WriteStartArray("greyExpiring");
        for (int i = 0; i < GreyDays; i++)
        {
            json.WriteStartObject();
            json.WriteString("day", Day(today.AddDays(i)));
            json.WriteNumber("devices", counts.GreyDeadlines.GetValueOrDefault(today.AddDays(i)));
            json.WriteEndObject();
        }
        json.WriteEndArray();

        json.WriteStartObject("clones");
        json.WriteNumber("suspected", suspected);
        json.WriteEndObject();

        json.WriteStartArray("followers");
        foreach (FeedFollower follower in followers.OrderBy(f => f.Name, StringComparer.Ordinal).ThenBy(f => f.Address, StringComparer.Ordinal))
        {
            ulong sent = follower.SentSequence;
            json.WriteStartObject();
            json.WriteString("name", follower.Name);
            json.WriteString("address", follower.Address);
            json.WriteNumber("afterSequence", follower.AfterSequence);
            json.WriteNumber("sentSequence", sent);
            json.WriteNumber("lag", sequence > sent ? sequence - sent : 0);
            json.WriteBoolean("connected", follower.Connected);
            json.WriteString("lastSeen", Local(DateTimeOffset.FromUnixTimeMilliseconds(follower.LastSeenUnixMs), zone));
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Local(DateTimeOffset instant, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(instant, zone).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
}
