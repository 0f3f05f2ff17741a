using System.CommandLine;
using System.Text.Json;

namespace ImeiEir.Tools.EirCtl;

/// <summary>
/// <c>eirctl clones [--limit N] [--after IMEI]</c>: the registry's suspected clones (IMEIs seen with at least
/// Clones:Threshold distinct home IMSIs within Clones:Window), one row per IMSI:
/// <code>
/// IMEI             IMSIS  IMSI             FIRST SEEN            LAST SEEN
/// 352099001761481      3  401011234567890  2025-09-01T10:00:00Z  2025-09-03T08:00:00Z
/// </code>
/// </summary>
internal static class ClonesCommand
{
    public static Command Create()
    {
        var limit = new Option<int>("--limit") { Description = "Most IMEIs to list (1-10000)", DefaultValueFactory = _ => 100 };
        var after = new Option<string?>("--after") { Description = "List the IMEIs after this one (the 'next' of the previous page)" };
        Option<string> url = RegistryClient.UrlOption();
        Option<string?> token = RegistryClient.TokenOption();
        Option<string> tokenFile = RegistryClient.TokenFileOption();
        var command = new Command("clones", "Suspected cloned IMEIs: seen with several home IMSIs within the window, with each IMSI's first and last attach")
        {
            limit, after, url, token, tokenFile,
        };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(limit), parse.GetValue(after), parse.GetValue(url)!, parse.GetValue(token), parse.GetValue(tokenFile)!, ct));
        return command;
    }

    private static async Task<int> RunAsync(int limit, string? after, string url, string? token, string tokenFile, CancellationToken ct)
    {
        using RegistryClient? client = RegistryClient.Create(url, token, tokenFile);
        if (client is null)
            return 1;
        string query = $"v1/clones?limit={limit}" + (after is null ? "" : "&after=" + Uri.EscapeDataString(after));
        using var request = new HttpRequestMessage(HttpMethod.Get, query);
        (HttpResponseMessage? response, int exit) = await client.SendAsync(request, ct);
        if (response is null)
            return exit;
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                Console.Error.WriteLine($"eirctl: {(int)response.StatusCode}: {await RegistryClient.DetailAsync(response, ct)}");
                return RegistryClient.Failed;
            }
            using JsonDocument document = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
            JsonElement root = document.RootElement;
            JsonElement clones = root.GetProperty("clones");
            if (clones.GetArrayLength() > 0)
                Console.WriteLine($"{"IMEI",-16} {"IMSIS",5}  {"IMSI",-15}  {"FIRST SEEN",-20}  LAST SEEN");
            foreach (JsonElement clone in clones.EnumerateArray())
            {
                string imei = clone.GetProperty("imei").GetString()!;
                int count = clone.GetProperty("count").GetInt32();
                bool first = true;
                foreach (JsonElement pair in clone.GetProperty("imsis").EnumerateArray())
                {
                    Console.WriteLine($"{(first ? imei : ""),-16} {(first ? count.ToString(System.Globalization.CultureInfo.InvariantCulture) : ""),5}  "
                        + $"{pair.GetProperty("imsi").GetString(),-15}  {pair.GetProperty("firstSeen").GetString(),-20}  {pair.GetProperty("lastSeen").GetString()}");
                    first = false;
                }
            }
            Console.WriteLine($"{clones.GetArrayLength()} suspected clone(s) listed of {root.GetProperty("suspected").GetInt32()} "
                + $"(threshold {root.GetProperty("threshold").GetInt32()} IMSIs within {root.GetProperty("window").GetString()})");
            if (root.GetProperty("next").ValueKind == JsonValueKind.String)
                Console.WriteLine($"more: eirctl clones --after {root.GetProperty("next").GetString()}");
            return 0;
        }
    }
}
