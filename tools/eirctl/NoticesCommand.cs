using System.CommandLine;
using System.Text.Json;
using ImeiEir.Core;

namespace ImeiEir.Tools.EirCtl;

/// <summary>
/// <c>eirctl notices IMEI|MSISDN</c>: the SMS notices about a device or sent to a number, oldest first, with their
/// states. A string of digits that is both a valid IMEI and a possible MSISDN is looked up as both.
/// </summary>
internal static class NoticesCommand
{
    public static Command Create()
    {
        var id = new Argument<string>("imei-or-msisdn") { Description = "IMEI (14, 15 or 16 digits) or MSISDN (7-15 digits, + allowed)" };
        var noText = new Option<bool>("--no-text") { Description = "Leave out the SMS texts" };
        Option<string> url = RegistryClient.UrlOption();
        Option<string?> token = RegistryClient.TokenOption();
        Option<string> tokenFile = RegistryClient.TokenFileOption();
        var command = new Command("notices", "SMS notices for an IMEI or an MSISDN and where each one is (parked, pending, sent, delivered...)")
        {
            id, noText, url, token, tokenFile,
        };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(id)!, parse.GetValue(noText), parse.GetValue(url)!, parse.GetValue(token), parse.GetValue(tokenFile)!, ct));
        return command;
    }

    private static async Task<int> RunAsync(string id, bool noText, string url, string? token, string tokenFile, CancellationToken ct)
    {
        string digits = id.StartsWith('+') ? id[1..] : id;
        bool isImei = !id.StartsWith('+') && Imei.TryParse(id.AsSpan(), out _) == ImeiParseResult.Valid;
        bool isMsisdn = digits.Length is >= 7 and <= 15 && digits.All(char.IsAsciiDigit);
        if (!isImei && !isMsisdn)
        {
            Console.Error.WriteLine($"eirctl: '{id}' is neither an IMEI (14, 15 with a right check digit, or 16 digits) nor an MSISDN (7-15 digits)");
            return 1;
        }
        using RegistryClient? client = RegistryClient.Create(url, token, tokenFile);
        if (client is null)
            return 1;
        var query = new List<string>();
        if (isImei) query.Add("imei=" + Uri.EscapeDataString(id));
        if (isMsisdn) query.Add("msisdn=" + Uri.EscapeDataString(digits));
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/notices?" + string.Join('&', query));
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
            int count = 0;
            foreach (JsonElement n in document.RootElement.GetProperty("notices").EnumerateArray())
            {
                count++;
                Print(n, noText);
            }
            Console.WriteLine(count == 0 ? $"no notices for {id}" : $"{count} notice(s) for {id}");
            return 0;
        }
    }

    private static void Print(JsonElement n, bool noText)
    {
        string to = Text(n, "msisdn") is string msisdn ? $"to {msisdn} ({Text(n, "language")})" : "no subscriber yet";
        Console.WriteLine($"{Text(n, "kind")} {Text(n, "state")}: IMEI {Text(n, "imei")} IMSI {Text(n, "imsi")} {to}");
        Console.WriteLine($"  key       {Text(n, "key")}");
        Console.WriteLine($"  attempts  {n.GetProperty("attempts").GetInt32()}");
        Console.WriteLine($"  created   {Text(n, "created")}");
        if (Text(n, "deadline") is string deadline) Console.WriteLine($"  deadline  {deadline}");
        if (Text(n, "nextAttempt") is string next) Console.WriteLine($"  next      {next}");
        if (Text(n, "sent") is string sent) Console.WriteLine($"  sent      {sent} ({Text(n, "gatewayAnswer")})");
        if (Text(n, "final") is string final) Console.WriteLine($"  final     {final}");
        if (n.TryGetProperty("lastDlrType", out JsonElement dlr) && dlr.ValueKind == JsonValueKind.Number)
            Console.WriteLine($"  last DLR  type {dlr.GetInt32()} ({DlrName(dlr.GetInt32())})");
        if (Text(n, "lastError") is string error) Console.WriteLine($"  error     {error}");
        if (!noText && Text(n, "text") is string text)
            Console.WriteLine("  text      " + text.Replace("\n", "\n            ", StringComparison.Ordinal));
    }

    // Kannel's delivery report types (user guide, "Delivery reports").
    private static string DlrName(int type) => type switch
    {
        1 => "delivered",
        2 => "undelivered",
        4 => "buffered at the SMSC",
        8 => "accepted by the SMSC",
        16 => "rejected by the SMSC",
        _ => "other",
    };

    private static string? Text(JsonElement n, string name) =>
        n.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
