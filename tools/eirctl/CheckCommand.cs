using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using ImeiEir.Core;
using ImeiEir.Diameter;

namespace ImeiEir.Tools.EirCtl;

/// <summary><c>eirctl check IMEI [--imsi IMSI] [--diameter HOST:PORT]</c>: one ME-Identity-Check, answered in words.</summary>
internal static class CheckCommand
{
    /// <summary>Exit code when no answer was obtained (connection refused, timeout, capabilities refused).</summary>
    public const int NoAnswer = 3;

    /// <summary>Exit code for a usage error (a bad argument), reported in one line before anything is sent.</summary>
    public const int Usage = 1;

    /// <summary>The longest <c>--timeout</c> accepted, in seconds: an hour is already far past any EIR's answer.</summary>
    public const double MaxTimeoutSeconds = 3600;

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
            parse.GetValue(realm)!, parse.GetValue(destinationHost), parse.GetValue(timeout)));
        return command;
    }

    private static int Run(string imei, string? imsi, string endpoint, string originHost, string realm, string? destinationHost, double timeoutSeconds)
    {
        // Argument errors are the user's to fix: one line, exit 1, and nothing is sent.
        if (!(timeoutSeconds > 0 && timeoutSeconds <= MaxTimeoutSeconds))
            return UsageError($"--timeout '{timeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}' is not a number of seconds above 0 and at most {MaxTimeoutSeconds:0}");
        if (imsi is not null && !ImsiText.IsValidImsi(imsi.AsSpan()))
            return UsageError($"--imsi '{Shown(imsi)}' is not an IMSI: give 5 to 15 digits");
        if (!TrySplitEndpoint(endpoint, out string host, out int port))
            return UsageError($"--diameter '{Shown(endpoint)}' is not HOST:PORT (for example 127.0.0.1:3868 or localhost:3868)");

        var timeout = TimeSpan.FromSeconds(timeoutSeconds);
        try
        {
            IPEndPoint target = Resolve(host, port);
            using DiameterProbe probe = DiameterProbe.Connect(target, originHost, realm, timeout, IPAddress.TryParse(host, out _) ? null : $"{host}:{port} ({target})");
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

    private static int UsageError(string message)
    {
        Console.Error.WriteLine($"eirctl: {message}");
        return Usage;
    }

    private static string Shown(string text) => text.Length <= 40 ? text : text[..40] + "…";

    /// <summary>HOST:PORT, HOST an IP address (IPv6 in brackets) or a host name; PORT 1 to 65535.</summary>
    private static bool TrySplitEndpoint(string endpoint, out string host, out int port)
    {
        host = "";
        port = 0;
        if (IPEndPoint.TryParse(endpoint, out IPEndPoint? literal))
        {
            host = literal.Address.ToString();
            port = literal.Port;
            return port != 0;
        }
        int colon = endpoint.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(endpoint.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out port)
            || port is < 1 or > 65535)
            return false;
        host = endpoint[..colon];
        return Uri.CheckHostName(host) == UriHostNameType.Dns;
    }

    /// <summary>An address for HOST: the literal itself, else the first IPv4 address it resolves to (the EIR listens on
    /// IPv4 by default), else the first address of any family.</summary>
    private static IPEndPoint Resolve(string host, int port)
    {
        if (IPAddress.TryParse(host, out IPAddress? address))
            return new IPEndPoint(address, port);
        IPAddress[] addresses;
        try
        {
            addresses = Dns.GetHostAddresses(host);
        }
        catch (SocketException e)
        {
            throw new ProbeException($"cannot resolve {host}: {e.SocketErrorCode}");
        }
        IPAddress? chosen = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault();
        return chosen is null ? throw new ProbeException($"cannot resolve {host}: no address") : new IPEndPoint(chosen, port);
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
