using System.CommandLine;
using System.Net;
using System.Text.Json;
using ImeiEir.Core;

namespace ImeiEir.Tools.EirCtl;

/// <summary><c>eirctl status IMEI</c> and <c>eirctl history IMEI</c>: the registry's record of a device.</summary>
internal static class StatusCommand
{
    public static Command Create(bool withHistory)
    {
        var imei = new Argument<string>("imei") { Description = "IMEI: 14, 15 or 16 digits" };
        Option<string> url = RegistryClient.UrlOption();
        Option<string?> token = RegistryClient.TokenOption();
        Option<string> tokenFile = RegistryClient.TokenFileOption();
        var command = withHistory
            ? new Command("history", "Every change the registry made to an IMEI, oldest first") { imei, url, token, tokenFile }
            : new Command("status", "The registry's current list, reason and deadline for an IMEI") { imei, url, token, tokenFile };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(imei)!, withHistory, parse.GetValue(url)!,
            parse.GetValue(token), parse.GetValue(tokenFile)!, ct));
        return command;
    }

    private static async Task<int> RunAsync(string imei, bool withHistory, string url, string? token, string tokenFile, CancellationToken ct)
    {
        if (Imei.TryParse(imei.AsSpan(), out _) == ImeiParseResult.Malformed)
        {
            string shown = imei.Length <= 40 ? imei : imei[..40] + "…";
            Console.Error.WriteLine($"eirctl: '{shown}' is not an IMEI: give 14, 15 or 16 digits");
            return 1;
        }
        using RegistryClient? client = RegistryClient.Create(url, token, tokenFile);
        if (client is null)
            return 1;
        using var request = new HttpRequestMessage(HttpMethod.Get, $"v1/imei/{Uri.EscapeDataString(imei)}");
        (HttpResponseMessage? response, int exit) = await client.SendAsync(request, ct);
        if (response is null)
            return exit;
        using (response)
        {
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                Console.WriteLine($"IMEI {imei}: not on any registry list ({await RegistryClient.DetailAsync(response, ct)})");
                return 0;
            }
            if (!response.IsSuccessStatusCode)
            {
                Console.Error.WriteLine($"eirctl: {(int)response.StatusCode}: {await RegistryClient.DetailAsync(response, ct)}");
                return RegistryClient.Failed;
            }

            using JsonDocument record = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
            JsonElement root = record.RootElement;
            string deadline = root.GetProperty("deadline").ValueKind == JsonValueKind.String ? $", until {root.GetProperty("deadline").GetString()}" : "";
            Console.WriteLine($"IMEI {root.GetProperty("imei").GetString()}: {root.GetProperty("list").GetString()} ({root.GetProperty("reason").GetString()}{deadline}), set by change {root.GetProperty("sequence").GetInt64()}");
            // Rule 2a: any other home IMSI is answered BLACKLISTED (cloned). Registries before pairing send no such field.
            if (root.TryGetProperty("pairedImsis", out JsonElement paired) && paired.GetArrayLength() > 0)
                Console.WriteLine($"  paired with IMSI {string.Join(", ", paired.EnumerateArray().Select(i => i.GetString()))}: other home subscribers get BLACKLISTED (cloned)");
            if (!withHistory)
                return 0;
            foreach (JsonElement change in root.GetProperty("history").EnumerateArray())
            {
                string related = change.GetProperty("relatedImei").ValueKind == JsonValueKind.String ? $" (replace, paired with {change.GetProperty("relatedImei").GetString()})" : "";
                string until = change.GetProperty("deadline").ValueKind == JsonValueKind.String ? $" until {change.GetProperty("deadline").GetString()}" : "";
                string op = change.GetProperty("op").GetString() ?? "";
                string what = change.TryGetProperty("imsi", out JsonElement imsi) && imsi.ValueKind == JsonValueKind.String
                    ? $"{op} IMSI {imsi.GetString()}"
                    : $"{op} {change.GetProperty("list").GetString()} {change.GetProperty("reason").GetString()}{until}{related}";
                Console.WriteLine($"  #{change.GetProperty("sequence").GetInt64()} {change.GetProperty("time").GetString()} {change.GetProperty("origin").GetString()}: "
                    + what + Attribution(change));
            }
            return 0;
        }
    }

    /// <summary>" by ACTOR: COMMENT" of a history entry (registries before attribution send neither).</summary>
    private static string Attribution(JsonElement change)
    {
        string actor = change.TryGetProperty("actor", out JsonElement a) && a.ValueKind == JsonValueKind.String ? $" by {a.GetString()}" : "";
        string comment = change.TryGetProperty("comment", out JsonElement c) && c.ValueKind == JsonValueKind.String ? $": \"{c.GetString()}\"" : "";
        return actor + comment;
    }
}
