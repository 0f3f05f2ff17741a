using System.CommandLine;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace ImeiEir.Tools.EirCtl;

/// <summary>
/// <c>eirctl legacy import FILE</c>: send an operator's dump of the devices its network saw before the regime
/// (<c>imei,first_seen[,imsi]</c>) to <c>POST /v1/legacy</c>, in chunks the registry accepts, and print the lines it
/// did not import (kept black, first seen too late, bad) with their line numbers in FILE, then a summary.
/// </summary>
internal static class LegacyCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file")
        {
            Description = "Dump: imei,first_seen[,imsi] per line, header optional; first_seen 2025-05-24, 2025-05-24T13:45:10 (regime time zone) or 2025-05-24T13:45:10+05:00",
        };
        var comment = new Option<string?>("--comment") { Description = "Why (kept with the import's log line)" };
        var chunkLines = new Option<int>("--chunk-lines")
        {
            Description = "Lines per request (at most the registry's Registry:MaxDeltaLines)",
            DefaultValueFactory = _ => 1_000_000,
        };
        var quiet = new Option<bool>("--quiet") { Description = "Print only the summary" };
        Option<string> url = RegistryClient.UrlOption();
        Option<string?> token = RegistryClient.TokenOption();
        Option<string> tokenFile = RegistryClient.TokenFileOption();
        var import = new Command("import", "Whitelist (reason legacy) the devices a dump shows in the network before Policy:RegimeStart")
        {
            file, comment, chunkLines, quiet, url, token, tokenFile,
        };
        import.SetAction((parse, ct) => RunAsync(parse.GetValue(file)!, parse.GetValue(comment), parse.GetValue(chunkLines), parse.GetValue(quiet),
            parse.GetValue(url)!, parse.GetValue(token), parse.GetValue(tokenFile)!, ct));
        return new Command("legacy", "Devices in the network before the regime") { import };
    }

    private static async Task<int> RunAsync(FileInfo file, string? comment, int chunkLines, bool quiet, string url, string? token, string tokenFile, CancellationToken ct)
    {
        if (!file.Exists)
        {
            Console.Error.WriteLine($"eirctl: {file.FullName} does not exist");
            return 1;
        }
        if (chunkLines < 1)
        {
            Console.Error.WriteLine("eirctl: --chunk-lines must be at least 1");
            return 1;
        }
        using RegistryClient? client = RegistryClient.Create(url, token, tokenFile);
        if (client is null)
            return 1;

        string path = "v1/legacy" + (string.IsNullOrEmpty(comment) ? "" : "?comment=" + Uri.EscapeDataString(comment));
        var totals = new long[5]; // imported, unchanged, keptBlack, tooLate, rejected
        ulong lastSequence = 0;
        int offset = 0;
        using var reader = new StreamReader(file.OpenRead(), Encoding.UTF8);
        while (true)
        {
            // A chunk is whole lines, sent verbatim (blank lines too), so the registry's line numbers plus the lines
            // of earlier chunks are the file's; only the first chunk can hold the header.
            // A new stream each time: the request disposes its content, and with it the stream.
            var chunk = new MemoryStream();
            int lines = 0;
            await using (var writer = new StreamWriter(chunk, new UTF8Encoding(false), 1 << 16, leaveOpen: true))
            {
                while (lines < chunkLines && await reader.ReadLineAsync(ct) is { } line)
                {
                    await writer.WriteAsync(line);
                    await writer.WriteAsync('\n');
                    lines++;
                }
            }
            if (lines == 0) break;
            chunk.Position = 0;

            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StreamContent(chunk) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("text/csv") { CharSet = "utf-8" };
            (HttpResponseMessage? response, int exit) = await client.SendAsync(request, ct);
            if (response is null)
                return exit;
            using (response)
            {
                if (!response.IsSuccessStatusCode)
                {
                    Console.Error.WriteLine($"eirctl: the registry refused {file.Name} lines {offset + 1}-{offset + lines} ({(int)response.StatusCode}): {await RegistryClient.DetailAsync(response, ct)}"
                        + (offset > 0 ? $"; lines 1-{offset} were imported" : ""));
                    return RegistryClient.Failed;
                }
                using JsonDocument report = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
                JsonElement root = report.RootElement;
                string[] names = ["imported", "unchanged", "keptBlack", "tooLate", "rejected"];
                for (int i = 0; i < names.Length; i++) totals[i] += root.GetProperty(names[i]).GetInt64();
                if (root.GetProperty("lastSequence").GetUInt64() is > 0 and var last) lastSequence = last;
                if (!quiet)
                {
                    foreach (JsonElement line in root.GetProperty("lines").EnumerateArray())
                    {
                        int number = offset + line.GetProperty("line").GetInt32();
                        string outcome = line.GetProperty("outcome").GetString()!;
                        string detail = outcome switch
                        {
                            "kept-black" => $"{line.GetProperty("imei").GetString()} is black: it stays black",
                            "too-late" => $"{line.GetProperty("imei").GetString()} was first seen at or after Policy:RegimeStart: not legacy",
                            _ => line.GetProperty("reason").GetString()!,
                        };
                        Console.WriteLine($"{file.Name}:{number}: {outcome,-10} {detail}");
                    }
                }
            }
            offset += lines;
        }

        Console.WriteLine($"{totals[0]} imported (white, legacy), {totals[1]} unchanged, {totals[2]} kept black, {totals[3]} too late, {totals[4]} rejected"
            + (lastSequence > 0 ? $"; registry at sequence {lastSequence}" : ""));
        return totals[4] > 0 ? RegistryClient.Rejected : 0;
    }
}
