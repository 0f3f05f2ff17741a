using System.CommandLine;
using System.Net;
using ImeiEir.Core;
using ImeiEir.Diameter;

namespace ImeiEir.Tools.EirCtl;

/// <summary><c>eirctl check IMEI [--imsi IMSI] [--diameter HOST:PORT]</c>: one ME-Identity-Check, answered in words.</summary>
internal static class CheckCommand
{
    /// <summary>Exit code when no answer was obtained (connection refused, timeout, capabilities refused).</summary>
    public const int NoAnswer = 3;

    public static Command Create()
    {
        var imei = new Argument<string>("imei") { Description = "IMEI: 14 digits, 15 with the check digit, or 16 (IMEISV)" };
        var imsi = new Option<string?>("--imsi") { Description = "Subscriber IMSI sent as User-Name (decides home vs roaming)" };
        var diameter = new Option<string>("--diameter")
        {
            Description = "The EIR's Diameter endpoint, HOST:PORT",
            DefaultValueFactory = _ => "127.0.0.1:3868",
        };
        var originHost = new Option<string>("--origin-host") { Description = "Our Origin-Host", DefaultValueFactory = _ => "eirctl.localdomain" };
        var realm = new Option<string>("--realm") { Description = "Origin-Realm and Destination-Realm", DefaultValueFactory = _ => "localdomain" };
        var destinationHost = new Option<string?>("--destination-host") { Description = "Destination-Host (omitted by default)" };
        var timeout = new Option<double>("--timeout") { Description = "Seconds to wait for each answer", DefaultValueFactory = _ => 5 };

        var command = new Command("check", "Ask an EIR over Diameter S13 whether an IMEI may use the network")
        {
            imei, imsi, diameter, originHost, realm, destinationHost, timeout,
        };
        command.SetAction(parse => Run(
            parse.GetValue(imei)!, parse.GetValue(imsi), parse.GetValue(diameter)!, parse.GetValue(originHost)!,
            parse.GetValue(realm)!, parse.GetValue(destinationHost), TimeSpan.FromSeconds(parse.GetValue(timeout))));
        return command;
    }

    private static int Run(string imei, string? imsi, string endpoint, string originHost, string realm, string? destinationHost, TimeSpan timeout)
    {
        if (!IPEndPoint.TryParse(endpoint, out IPEndPoint? target) || target.Port == 0)
        {
            Console.Error.WriteLine($"eirctl: --diameter '{endpoint}' is not HOST:PORT (for example 127.0.0.1:3868)");
            return 1;
        }

        try
        {
            using DiameterProbe probe = DiameterProbe.Connect(target, originHost, realm, timeout);
            CheckAnswer answer = probe.Check(imei, imsi, realm, destinationHost);
            probe.Disconnect();
            Console.WriteLine(Describe(imei, answer));
            return 0;
        }
        catch (ProbeException e)
        {
            Console.Error.WriteLine($"eirctl: {e.Message}");
            return NoAnswer;
        }
    }

    private static string Describe(string imei, CheckAnswer answer)
    {
        // Show the canonical 15 digits only for a valid IMEI; a wrong check digit is shown as typed, since it is the point.
        string shown = Imei.TryParse(imei.AsSpan(), out Imei parsed) == ImeiParseResult.Valid ? parsed.ToString() : imei;
        string verdict;
        string code;
        if (answer.ExperimentalResultCode != 0)
        {
            verdict = answer.ExperimentalResultCode == ResultCodes.EquipmentUnknown ? "UNKNOWN EQUIPMENT" : "REJECTED";
            code = $"Experimental-Result {answer.ExperimentalResultCode} ({ResultCodeNames.Describe(answer.ExperimentalResultCode)})";
        }
        else
        {
            verdict = answer.ResultCode == ResultCodes.Success && answer.EquipmentStatus >= 0
                ? ResultCodeNames.EquipmentStatusName(answer.EquipmentStatus)
                : "REJECTED";
            code = $"Result-Code {answer.ResultCode} ({ResultCodeNames.Describe(answer.ResultCode)})";
        }
        return $"IMEI {shown}: {verdict}\n  {code} from {answer.PeerHost} in {answer.RoundTrip.TotalMilliseconds:0.0} ms";
    }
}
