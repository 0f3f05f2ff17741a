using System.CommandLine;
using System.Net.Http.Headers;
using System.Text.Json;

namespace ImeiEir.Tools.EirCtl;

/// <summary>
/// <c>eirctl subscribers import FILE</c>: load the operator's subscriber directory (IMSI → MSISDN, IIN, language) into
/// the notifier. All or nothing: one bad line and nothing is imported; every bad line is printed with its number.
/// </summary>
internal static class SubscribersCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "CSV: imsi,msisdn,iin,language (ru|kk); header optional, # comments" };
        Option<string> url = RegistryClient.UrlOption();
        Option<string?> token = RegistryClient.TokenOption();
        Option<string> tokenFile = RegistryClient.TokenFileOption();
        var import = new Command("import", "Add or replace subscribers from a CSV file; parked notices for them are then sent") { file, url, token, tokenFile };
        import.SetAction((parse, ct) => ImportAsync(parse.GetValue(file)!, parse.GetValue(url)!, parse.GetValue(token), parse.GetValue(tokenFile)!, ct));
        return new Command("subscribers", "The subscriber directory the SMS notices are addressed with") { import };
    }

    private static async Task<int> ImportAsync(FileInfo file, string url, string? token, string tokenFile, CancellationToken ct)
    {
        if (!file.Exists)
        {
            Console.Error.WriteLine($"eirctl: {file.FullName} does not exist");
            return 1;
        }
        using RegistryClient? client = RegistryClient.Create(url, token, tokenFile);
        if (client is null)
            return 1;

        await using FileStream body = file.OpenRead();
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/subscribers") { Content = new StreamContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("text/csv") { CharSet = "utf-8" };
        (HttpResponseMessage? response, int exit) = await client.SendAsync(request, ct);
        if (response is null)
            return exit;
        using (response)
        {
            if ((int)response.StatusCode == 422)
            {
                using JsonDocument problem = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
                int count = 0;
                foreach (JsonElement error in problem.RootElement.GetProperty("errors").EnumerateArray())
                {
                    Console.WriteLine($"{file.Name}:{error.GetProperty("line").GetInt32()}: {error.GetProperty("reason").GetString()}");
                    count++;
                }
                Console.WriteLine($"nothing imported: {count} bad line(s) (an import is all or nothing)");
                return RegistryClient.Rejected;
            }
            if (!response.IsSuccessStatusCode)
            {
                Console.Error.WriteLine($"eirctl: the registry refused {file.Name} ({(int)response.StatusCode}): {await RegistryClient.DetailAsync(response, ct)}");
                return RegistryClient.Failed;
            }
            using JsonDocument report = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
            JsonElement r = report.RootElement;
            Console.WriteLine($"{file.Name}: {r.GetProperty("added").GetInt32()} added, {r.GetProperty("replaced").GetInt32()} replaced, "
                + $"{r.GetProperty("unchanged").GetInt32()} unchanged; {r.GetProperty("total").GetInt32()} subscribers in the directory; "
                + $"{r.GetProperty("released").GetInt32()} parked notice(s) released");
            return 0;
        }
    }
}
