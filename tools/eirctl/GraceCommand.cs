using System.CommandLine;
using System.Text;
using System.Text.Json;
using ImeiEir.Core;

namespace ImeiEir.Tools.EirCtl;

/// <summary>
/// <c>eirctl grace extend --until DATE (--all | --tac-range A-B | --imei-file F) [--reinstate] [--comment TEXT]</c>:
/// asks the registry (<c>POST /v1/grace/extend</c>) to move the selected grey records' deadlines to DATE (never
/// earlier) and, with <c>--reinstate</c>, to make grey again the grey-expired records whose deadline was before it.
/// </summary>
internal static class GraceCommand
{
    public static Command Create()
    {
        var until = new Option<string>("--until")
        {
            Description = "New deadline: 2026-03-01 (00:00 in the regime's time zone) or 2026-03-01T18:00:00+05:00",
            Required = true,
        };
        var all = new Option<bool>("--all") { Description = "Every grey record" };
        var tacRange = new Option<string?>("--tac-range") { Description = "Grey records whose TAC is in A-B (8 digits each, inclusive) or is A" };
        var imeiFile = new Option<FileInfo?>("--imei-file") { Description = "Grey records of the IMEIs in this file (one a line; blank lines and # comments ignored)" };
        var reinstate = new Option<bool>("--reinstate") { Description = "Also make grey again, until DATE, the records black as grey-expired whose deadline was before DATE" };
        var comment = new Option<string?>("--comment") { Description = "Why (e.g. the regulator's order)" };
        Option<string> url = RegistryClient.UrlOption();
        Option<string?> token = RegistryClient.TokenOption();
        Option<string> tokenFile = RegistryClient.TokenFileOption();
        var extend = new Command("extend", "Extend grace periods to a new deadline")
        {
            until, all, tacRange, imeiFile, reinstate, comment, url, token, tokenFile,
        };
        extend.SetAction((parse, ct) => RunAsync(parse.GetValue(until)!, parse.GetValue(all), parse.GetValue(tacRange), parse.GetValue(imeiFile),
            parse.GetValue(reinstate), parse.GetValue(comment), parse.GetValue(url)!, parse.GetValue(token), parse.GetValue(tokenFile)!, ct));
        return new Command("grace", "Grace periods of grey devices") { extend };
    }

    private static async Task<int> RunAsync(string until, bool all, string? tacRange, FileInfo? imeiFile, bool reinstate, string? comment,
        string url, string? token, string tokenFile, CancellationToken ct)
    {
        if ((all ? 1 : 0) + (tacRange is null ? 0 : 1) + (imeiFile is null ? 0 : 1) != 1)
        {
            Console.Error.WriteLine("eirctl: give exactly one of --all, --tac-range A-B or --imei-file F");
            return 1;
        }

        var body = new MemoryStream();
        await using (var json = new Utf8JsonWriter(body))
        {
            json.WriteStartObject();
            json.WriteString("until", until);
            if (all) json.WriteBoolean("all", true);
            if (tacRange is not null) json.WriteString("tacRange", tacRange);
            if (imeiFile is not null)
            {
                if (!imeiFile.Exists)
                {
                    Console.Error.WriteLine($"eirctl: {imeiFile.FullName} does not exist");
                    return 1;
                }
                json.WriteStartArray("imeis");
                int number = 0;
                foreach (string raw in File.ReadLines(imeiFile.FullName, Encoding.UTF8))
                {
                    number++;
                    string line = raw.Trim();
                    if (line.Length == 0 || line.StartsWith('#')) continue;
                    if (Imei.TryParse(line.AsSpan(), out _) != ImeiParseResult.Valid)
                    {
                        Console.Error.WriteLine($"eirctl: {imeiFile.Name}:{number}: '{line}' is not a valid IMEI (14, 15 or 16 digits, right check digit); nothing was sent");
                        return RegistryClient.Rejected;
                    }
                    json.WriteStringValue(line);
                }
                json.WriteEndArray();
            }
            if (reinstate) json.WriteBoolean("reinstate", true);
            if (!string.IsNullOrEmpty(comment)) json.WriteString("comment", comment);
            json.WriteEndObject();
        }
        body.Position = 0;

        using RegistryClient? client = RegistryClient.Create(url, token, tokenFile);
        if (client is null)
            return 1;
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/grace/extend") { Content = new StreamContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        (HttpResponseMessage? response, int exit) = await client.SendAsync(request, ct);
        if (response is null)
            return exit;
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                Console.Error.WriteLine($"eirctl: the registry refused the extension ({(int)response.StatusCode}): {await RegistryClient.DetailAsync(response, ct)}");
                return (int)response.StatusCode == 400 ? RegistryClient.Rejected : RegistryClient.Failed;
            }
            using JsonDocument report = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
            JsonElement root = report.RootElement;
            ulong last = root.GetProperty("lastSequence").GetUInt64();
            Console.WriteLine($"{root.GetProperty("extended").GetInt32()} extended, {root.GetProperty("unchanged").GetInt32()} unchanged (deadline already as late), "
                + $"{root.GetProperty("reinstated").GetInt32()} reinstated" + (last > 0 ? $"; changes {root.GetProperty("firstSequence").GetUInt64()}-{last}" : "; nothing written"));
            return 0;
        }
    }
}
