using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace ImeiEir.Tools.EirCtl;

/// <summary>
/// <c>eirctl overview</c>: the registry at a glance (<c>GET /v1/overview</c>, and <c>GET /v1/notices/summary</c> when
/// the registry process runs the notifier), as the admin console shows it:
/// <code>
/// Registry at change 1234, generation 3f2a…, 2025-09-10T17:00:00+05:00
/// Records: 1 white, 2 grey, 1 black, 1 paired
/// Changes per day:
///   2025-08-28          0          (14 local days, oldest first)
/// Sightings since 2025-09-08T01:00:00+05:00: 5 received, 2 first sightings
/// Grey devices expiring:
///   2025-09-10          0          (today and the next 6 local days)
/// Suspected clones: 1
/// SMS outbox: 1 parked, 1 pending, 1 sent, 1 delivered, 1 undelivered, 1 failed, 1 retries
/// Followers:
///   NAME                 ADDRESS        AFTER       SENT      LAG  CONNECTED  LAST SEEN
///   eir-north            10.0.0.5        1200       1234        0  yes        2025-09-10T16:59:58+05:00
/// </code>
/// </summary>
internal static class OverviewCommand
{
    public static Command Create()
    {
        Option<string> url = RegistryClient.UrlOption();
        Option<string?> token = RegistryClient.TokenOption();
        Option<string> tokenFile = RegistryClient.TokenFileOption();
        var command = new Command("overview", "The registry at a glance: records per list, changes per day, sightings, grey devices expiring, clones, SMS outbox, following nodes and their lag")
        {
            url, token, tokenFile,
        };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(url)!, parse.GetValue(token), parse.GetValue(tokenFile)!, ct));
        return command;
    }

    private static async Task<int> RunAsync(string url, string? token, string tokenFile, CancellationToken ct)
    {
        using RegistryClient? client = RegistryClient.Create(url, token, tokenFile);
        if (client is null)
            return 1;
        (JsonDocument? overview, int exit) = await client.GetJsonAsync("v1/overview", ct);
        if (overview is null)
            return exit;
        using (overview)
        {
            // The notifier runs in the registry process by default; a 404 means this one does not.
            (JsonDocument? notices, exit) = await client.GetJsonAsync("v1/notices/summary", ct, optional: true);
            if (exit != 0)
                return exit;
            using (notices)
            {
                Print(overview.RootElement, notices?.RootElement);
            }
        }
        return 0;
    }

    private static void Print(JsonElement o, JsonElement? notices)
    {
        Console.WriteLine($"Registry at change {o.GetProperty("sequence").GetUInt64()}, generation {o.GetProperty("generation").GetString()}, {o.GetProperty("now").GetString()}");
        JsonElement records = o.GetProperty("records");
        Console.WriteLine($"Records: {N(records, "white")} white, {N(records, "grey")} grey, {N(records, "black")} black, {N(records, "paired")} paired");
        Console.WriteLine("Changes per day:");
        PrintDays(o.GetProperty("changesPerDay"), "changes");
        JsonElement sightings = o.GetProperty("sightings");
        Console.WriteLine($"Sightings since {sightings.GetProperty("since").GetString()}: {N(sightings, "received")} received, {N(sightings, "firstSightings")} first sightings");
        Console.WriteLine("Grey devices expiring:");
        PrintDays(o.GetProperty("greyExpiring"), "devices");
        Console.WriteLine($"Suspected clones: {N(o.GetProperty("clones"), "suspected")}");
        Console.WriteLine(notices is { } n
            ? $"SMS outbox: {N(n, "parked")} parked, {N(n, "pending")} pending, {N(n, "sent")} sent, {N(n, "delivered")} delivered, "
                + $"{N(n, "undelivered")} undelivered, {N(n, "failed")} failed, {N(n, "retries")} retries"
            : "SMS outbox: no notifier in this registry process");
        JsonElement followers = o.GetProperty("followers");
        if (followers.GetArrayLength() == 0)
        {
            Console.WriteLine("Followers: none");
            return;
        }
        Console.WriteLine("Followers:");
        Console.WriteLine($"  {"NAME",-20} {"ADDRESS",-39} {"AFTER",10} {"SENT",10} {"LAG",8}  {"CONNECTED",-9}  LAST SEEN");
        foreach (JsonElement f in followers.EnumerateArray())
        {
            Console.WriteLine($"  {f.GetProperty("name").GetString(),-20} {f.GetProperty("address").GetString(),-39} {N(f, "afterSequence"),10} "
                + $"{N(f, "sentSequence"),10} {N(f, "lag"),8}  {(f.GetProperty("connected").GetBoolean() ? "yes" : "no"),-9}  {f.GetProperty("lastSeen").GetString()}");
        }
    }

    private static void PrintDays(JsonElement days, string count)
    {
        foreach (JsonElement day in days.EnumerateArray())
            Console.WriteLine($"  {day.GetProperty("day").GetString()} {N(day, count),10}");
    }

    private static string N(JsonElement parent, string name) => parent.GetProperty(name).GetInt64().ToString(CultureInfo.InvariantCulture);
}
