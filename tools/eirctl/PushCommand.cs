using System.CommandLine;
using System.Net.Http.Headers;
using System.Text.Json;

namespace ImeiEir.Tools.EirCtl;

/// <summary>
/// <c>eirctl push FILE [--dry-run]</c>: send a delta to the registry; per-line outcomes, a summary, non-zero exit on
/// rejects. A dry run prints the same report for what the push would do, and says that nothing was applied.
/// </summary>
internal static class PushCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "Delta: CSV (op,imei,list,reason,deadline,new_imei,imsi) or NDJSON (.ndjson/.jsonl)" };
        var partial = new Option<bool>("--partial") { Description = "Apply the good lines even if some are bad (default: all or nothing)" };
        var quiet = new Option<bool>("--quiet") { Description = "Print only rejected lines and the summary" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Judge the delta against the registry's records and print what the push would do; nothing is applied" };
        var comment = new Option<string?>("--comment") { Description = "Why (e.g. \"police report 77/2026\"): recorded with every change, shown by eirctl history; at most 500 characters" };
        Option<string> url = RegistryClient.UrlOption();
        Option<string?> token = RegistryClient.TokenOption();
        Option<string> tokenFile = RegistryClient.TokenFileOption();
        var command = new Command("push", "Push a list delta to the registry") { file, partial, dryRun, quiet, comment, url, token, tokenFile };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(file)!, parse.GetValue(partial), parse.GetValue(dryRun), parse.GetValue(quiet),
            parse.GetValue(comment), parse.GetValue(url)!, parse.GetValue(token), parse.GetValue(tokenFile)!, ct));
        return command;
    }

    private static async Task<int> RunAsync(FileInfo file, bool partial, bool dryRun, bool quiet, string? comment, string url, string? token, string tokenFile, CancellationToken ct)
    {
        if (!file.Exists)
        {
            Console.Error.WriteLine($"eirctl: {file.FullName} does not exist");
            return 1;
        }
        using RegistryClient? client = RegistryClient.Create(url, token, tokenFile);
        if (client is null)
            return 1;

        bool ndjson = file.Extension is ".ndjson" or ".jsonl";
        await using FileStream body = file.OpenRead();
        // One key per push, sent again on a retry: the registry answers a repeat with the first send's outcome.
        string key = Guid.NewGuid().ToString();
        HttpRequestMessage MakeRequest()
        {
            body.Position = 0;
            string query = (partial, dryRun) switch
            {
                (true, true) => "?partial=true&dryRun=true",
                (true, false) => "?partial=true",
                (false, true) => "?dryRun=true",
                _ => "",
            };
            var request = new HttpRequestMessage(HttpMethod.Post, "v1/deltas" + query)
            {
                // Not disposed with the request: a retry sends the same open file again.
                Content = new StreamContent(new NonClosingStream(body)),
            };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(ndjson ? "application/x-ndjson" : "text/csv") { CharSet = "utf-8" };
            // A dry run writes nothing, so a retry is safe without a key (and the registry journals none for it).
            if (!dryRun) request.Headers.Add("Idempotency-Key", key);
            // Percent-encoded UTF-8: a header carries only ASCII (the registry's PushComment decodes it).
            if (!string.IsNullOrWhiteSpace(comment)) request.Headers.Add("ImeiEir-Comment", Uri.EscapeDataString(comment));
            return request;
        }

        (HttpResponseMessage? response, int exit) = await client.SendRetryingAsync(MakeRequest, ct);
        if (response is null)
            return exit;
        using (response)
        {
            if (response.Headers.Contains("Idempotency-Replayed"))
                Console.Error.WriteLine($"eirctl: the registry had already applied {file.Name} before the connection was lost; this is its original outcome, and nothing was written again");
            if ((int)response.StatusCode == 422)
                return await PrintBadLinesAsync(response, file.Name, ct);
            if (!response.IsSuccessStatusCode)
            {
                Console.Error.WriteLine($"eirctl: the registry refused {file.Name} ({(int)response.StatusCode}): {await RegistryClient.DetailAsync(response, ct)}");
                return RegistryClient.Failed;
            }

            using JsonDocument report = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
            JsonElement root = report.RootElement;
            // Columns: "FILE:LINE:" padded to the widest line number, the outcome, the IMEI (blank when the line had
            // none to read), then the detail.
            int widestLine = 0;
            foreach (JsonElement line in root.GetProperty("lines").EnumerateArray())
                widestLine = Math.Max(widestLine, line.GetProperty("line").GetInt32());
            int prefixWidth = $"{file.Name}:{widestLine}:".Length;
            foreach (JsonElement line in root.GetProperty("lines").EnumerateArray())
            {
                string outcome = line.GetProperty("outcome").GetString()!;
                if (quiet && outcome != "rejected")
                    continue;
                string imei = line.TryGetProperty("imei", out JsonElement i) ? i.GetString()! : "";
                string detail = outcome switch
                {
                    "applied" when dryRun => "would be applied",
                    "applied" when line.TryGetProperty("newImeiSequence", out JsonElement next) =>
                        $"sequences {line.GetProperty("sequence").GetInt64()}-{next.GetInt64()} (old IMEI black, new IMEI white)",
                    "applied" => $"sequence {line.GetProperty("sequence").GetInt64()}",
                    "rejected" => line.GetProperty("reason").GetString()!,
                    _ => "already so",
                };
                string prefix = $"{file.Name}:{line.GetProperty("line").GetInt32()}:";
                Console.WriteLine($"{prefix.PadRight(prefixWidth)} {outcome,-9} {imei,-15} {detail}".TrimEnd());
            }
            int rejected = root.GetProperty("rejected").GetInt32();
            if (dryRun)
            {
                Console.WriteLine($"dry run, nothing was applied: {root.GetProperty("applied").GetInt32()} would be applied, {root.GetProperty("unchanged").GetInt32()} unchanged, {rejected} rejected"
                    + (root.GetProperty("accepted").GetBoolean() ? "" : "; as sent the push would be refused for its bad lines (the batch is atomic; --partial applies the good ones)"));
                return rejected > 0 ? RegistryClient.Rejected : 0;
            }
            Console.WriteLine($"{root.GetProperty("applied").GetInt32()} applied, {root.GetProperty("unchanged").GetInt32()} unchanged, {rejected} rejected"
                + (root.GetProperty("lastSequence").ValueKind == JsonValueKind.Number ? $"; registry at sequence {root.GetProperty("lastSequence").GetInt64()}" : ""));
            return rejected > 0 ? RegistryClient.Rejected : 0;
        }
    }

    private static async Task<int> PrintBadLinesAsync(HttpResponseMessage response, string name, CancellationToken ct)
    {
        using JsonDocument problem = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
        int count = 0;
        foreach (JsonElement error in problem.RootElement.GetProperty("errors").EnumerateArray())
        {
            Console.WriteLine($"{name}:{error.GetProperty("line").GetInt32()}: rejected  {error.GetProperty("reason").GetString()}");
            count++;
        }
        Console.WriteLine($"0 applied: {count} bad line(s), so nothing was applied (use --partial to apply the good lines)");
        return RegistryClient.Rejected;
    }
}
