using System.Net.Http.Headers;
using System.Text.Json;

namespace ImeiEir.Tools.EirCtl;

/// <summary>
/// The one way eirctl sends a whole CSV file to an all-or-nothing import endpoint (the subscriber directory, the TAC
/// database): a missing file and an unreachable registry are said in one line; a 422 lists the bad lines through
/// <c>printRejected</c>; any other refusal names its status and detail; a success is printed by <c>printReport</c>.
/// </summary>
internal static class CsvImport
{
    /// <summary>Sends <paramref name="file"/> as <c>text/csv</c> to <paramref name="path"/>; returns eirctl's exit code.</summary>
    public static async Task<int> SendAsync(FileInfo file, HttpMethod method, string path, string url, string? token, string tokenFile,
        Action<JsonElement> printRejected, Action<JsonElement> printReport, CancellationToken ct)
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
        using var request = new HttpRequestMessage(method, path) { Content = new StreamContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("text/csv") { CharSet = "utf-8" };
        (HttpResponseMessage? response, int exit) = await client.SendAsync(request, ct);
        if (response is null)
            return exit;
        using (response)
        {
            if ((int)response.StatusCode == 422)
            {
                using JsonDocument problem = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
                printRejected(problem.RootElement);
                return RegistryClient.Rejected;
            }
            if (!response.IsSuccessStatusCode)
            {
                Console.Error.WriteLine($"eirctl: the registry refused {file.Name} ({(int)response.StatusCode}): {await RegistryClient.DetailAsync(response, ct)}");
                return RegistryClient.Failed;
            }
            using JsonDocument report = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
            printReport(report.RootElement);
            return 0;
        }
    }
}
