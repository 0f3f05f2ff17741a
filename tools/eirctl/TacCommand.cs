using System.CommandLine;
using System.Text.Json;

namespace ImeiEir.Tools.EirCtl;

/// <summary>
/// <c>eirctl tac import FILE</c>: replace the registry's TAC database with a TAC file (columns
/// <c>tac,manufacturer,model,device_type</c>, or the GSMA export's TAC, Brand Name / Manufacturer (or) Applicant,
/// Model Name / Marketing Name, Device Type); all or nothing: a bad line is printed with its number and nothing is
/// imported. The nodes fetch the new version at their next TAC check.
/// </summary>
internal static class TacCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file")
        {
            Description = "TAC file: CSV (, ; | or tab) with a header naming tac, manufacturer, model, device_type (or the GSMA export's TAC, Brand Name, Model Name, Device Type)",
        };
        Option<string> url = RegistryClient.UrlOption();
        Option<string?> token = RegistryClient.TokenOption();
        Option<string> tokenFile = RegistryClient.TokenFileOption();
        var import = new Command("import", "Replace the registry's TAC database with FILE (all or nothing)") { file, url, token, tokenFile };
        import.SetAction((parse, ct) => ImportAsync(parse.GetValue(file)!, parse.GetValue(url)!, parse.GetValue(token), parse.GetValue(tokenFile)!, ct));
        return new Command("tac", "The GSMA TAC database the nodes check IMEIs against") { import };
    }

    private static Task<int> ImportAsync(FileInfo file, string url, string? token, string tokenFile, CancellationToken ct) =>
        CsvImport.SendAsync(file, HttpMethod.Put, "v1/tac", url, token, tokenFile,
            problem =>
            {
                foreach (JsonElement error in problem.GetProperty("errors").EnumerateArray())
                    Console.WriteLine($"{file.Name}:{error.GetProperty("line").GetInt64()}: {error.GetProperty("reason").GetString()}");
                long bad = problem.GetProperty("badLines").GetInt64();
                Console.WriteLine($"0 imported: {bad} bad line(s){(bad > problem.GetProperty("errors").GetArrayLength() ? " (the first ones shown)" : "")}, so nothing was imported");
            },
            result =>
            {
                string types = string.Join(", ", result.GetProperty("deviceTypes").EnumerateArray().Select(t => t.GetString()));
                Console.WriteLine($"{result.GetProperty("tacs").GetInt32()} TACs imported as version {result.GetProperty("version").GetString()}; device types: {types}");
            }, ct);
}
