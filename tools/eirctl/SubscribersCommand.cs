using System.CommandLine;
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

    private static Task<int> ImportAsync(FileInfo file, string url, string? token, string tokenFile, CancellationToken ct) =>
        CsvImport.SendAsync(file, HttpMethod.Post, "v1/subscribers", url, token, tokenFile,
            problem =>
            {
                int count = 0;
                foreach (JsonElement error in problem.GetProperty("errors").EnumerateArray())
                {
                    Console.WriteLine($"{file.Name}:{error.GetProperty("line").GetInt32()}: {error.GetProperty("reason").GetString()}");
                    count++;
                }
                Console.WriteLine($"nothing imported: {count} bad line(s) (an import is all or nothing)");
            },
            r => Console.WriteLine($"{file.Name}: {r.GetProperty("added").GetInt32()} added, {r.GetProperty("replaced").GetInt32()} replaced, "
                + $"{r.GetProperty("unchanged").GetInt32()} unchanged; {r.GetProperty("total").GetInt32()} subscribers in the directory; "
                + $"{r.GetProperty("released").GetInt32()} parked notice(s) released"), ct);
}
