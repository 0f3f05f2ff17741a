using System.Globalization;
using System.Xml.Linq;

namespace ImeiEir.Integration.Tests;

/// <summary>One Diameter message as Wireshark's dissector decoded it.</summary>
internal sealed record DecodedMessage(
    int Frame, int CommandCode, string CommandShowName, bool IsRequest, bool IsError, long ApplicationId,
    string HopByHop, string? Imei, int? ResultCode, int? ExperimentalResultCode, int? EquipmentStatus)
{
    public string Name => (CommandCode, IsRequest) switch
    {
        (257, true) => "CER",
        (257, false) => "CEA",
        (280, true) => "DWR",
        (280, false) => "DWA",
        (282, true) => "DPR",
        (282, false) => "DPA",
        (324, true) => "ECR",
        (324, false) => "ECA",
        _ => $"{CommandCode}{(IsRequest ? "-R" : "-A")}",
    };

    public override string ToString() =>
        $"#{Frame} {Name} hbh={HopByHop} imei={Imei} rc={ResultCode} exp={ExperimentalResultCode} status={EquipmentStatus}";
}

/// <summary>tshark as an independent Diameter decoder: live loopback capture, then offline dissection.</summary>
internal sealed class TsharkCapture : IDisposable
{
    private readonly ChildProcess _process;

    private TsharkCapture(ChildProcess process, string file)
    {
        _process = process;
        File = file;
    }

    public string File { get; }

    /// <summary>Starts capturing TCP port <paramref name="port"/> on lo into <paramref name="file"/>; returns once capturing.</summary>
    public static TsharkCapture Start(int port, string file)
    {
        TestEnvironment.RequireTools("tshark", "dumpcap");
        ChildProcess process = ChildProcess.Start("tshark",
            ["-i", "lo", "-f", $"tcp port {port}", "-w", file, "-P", "-l"],   // -P -l: a summary line per packet as it is written
            workingDirectory: Path.GetDirectoryName(file));
        bool capturing = process.WaitForLine(l => l.Contains("Capturing on", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30), out _, stderr: true);
        if (!capturing)
        {
            process.Dispose();
            Assert.Fail("tshark did not start capturing on lo within 30 s (capturing needs root, or dumpcap with "
                        + $"cap_net_raw,cap_net_admin):\n{process.Transcript}");
        }
        return new TsharkCapture(process, file);
    }

    /// <summary>Stops the capture (SIGINT, as Ctrl-C) and waits for the file to be complete.</summary>
    public void Stop()
    {
        if (!_process.Terminate(TimeSpan.FromSeconds(15), ChildProcess.SigInt))
            Assert.Fail($"tshark did not stop on SIGINT within 15 s:\n{_process.Transcript}");
    }

    public string Transcript => _process.Transcript;

    /// <summary>
    /// Waits until every TCP connection the capture saw open (a SYN) has both its closing segments (FIN, or a RST)
    /// in the file: after that, nothing of the exchange is still on its way to the capture.
    /// </summary>
    public void WaitForEveryConnectionClosed(TimeSpan timeout)
    {
        static int Count(IReadOnlyList<string> lines, string flag) => lines.Count(l => l.Contains(flag, StringComparison.Ordinal));
        Eventually.Until(() =>
        {
            IReadOnlyList<string> lines = _process.StdoutLines;
            int opened = Count(lines, "[SYN]");
            return opened > 0 && Count(lines, "FIN") + 2 * Count(lines, "[RST") >= 2 * opened;
        }, timeout, "every captured connection's FIN or RST", () => _process.Transcript);
    }

    /// <summary>
    /// Opens and closes empty probe connections to <paramref name="port"/> until the capture shows one: whatever is
    /// sent after that is in the file. tshark says "Capturing on" a moment before its filter is live, and a busy
    /// machine widens the gap enough to lose a test's first exchange.
    /// </summary>
    public void WaitUntilLive(int port, TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (!_process.StdoutLines.Any(l => l.Contains("[SYN]", StringComparison.Ordinal)))
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"the capture saw no probe connection within {timeout}:\n{_process.Transcript}");
            using (var probe = new System.Net.Sockets.TcpClient())
                probe.Connect(System.Net.IPAddress.Loopback, port);
            Thread.Sleep(200);
        }
    }

    public void Dispose() => _process.Dispose();

    /// <summary>
    /// Every malformed packet or expert message of severity warning or error, as check_pcap.sh looks for them;
    /// empty when there are none.
    /// </summary>
    /// <param name="file">The capture.</param>
    /// <param name="port">The server's Diameter port.</param>
    /// <param name="serverOnly">Only what the server sent (a test that sends malformed requests on purpose).</param>
    public static IReadOnlyList<string> Problems(string file, int port, bool serverOnly = false)
    {
        string problems = "(_ws.malformed || _ws.expert.severity >= 0x00600000)";
        string output = RunTshark(["-r", file, "-d", $"tcp.port=={port},diameter",
            "-Y", serverOnly ? $"tcp.srcport == {port} && {problems}" : problems,
            "-T", "fields", "-e", "frame.number", "-e", "frame.protocols", "-e", "_ws.expert.severity", "-e", "_ws.expert.message"]);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>Every Diameter message in the capture, in order (several may share a TCP segment).</summary>
    public static IReadOnlyList<DecodedMessage> Decode(string file, int port)
    {
        string pdml = RunTshark(["-r", file, "-d", $"tcp.port=={port},diameter", "-Y", "diameter", "-T", "pdml"]);
        var messages = new List<DecodedMessage>();
        foreach (XElement packet in XDocument.Parse(pdml).Root!.Elements("packet"))
        {
            int frame = int.Parse(Field(packet, "frame.number")?.Attribute("show")?.Value ?? "0", CultureInfo.InvariantCulture);
            foreach (XElement diameter in packet.Elements("proto").Where(p => (string?)p.Attribute("name") == "diameter"))
            {
                XElement code = Field(diameter, "diameter.cmd.code") ?? throw new InvalidDataException($"frame {frame}: no command code");
                messages.Add(new DecodedMessage(
                    frame,
                    int.Parse(code.Attribute("show")!.Value, CultureInfo.InvariantCulture),
                    code.Attribute("showname")?.Value ?? "",
                    Field(diameter, "diameter.flags.request")?.Attribute("show")?.Value is "1" or "True",
                    Field(diameter, "diameter.flags.error")?.Attribute("show")?.Value is "1" or "True",
                    long.Parse(Field(diameter, "diameter.applicationId")?.Attribute("show")?.Value ?? "-1", CultureInfo.InvariantCulture),
                    Field(diameter, "diameter.hopbyhopid")?.Attribute("show")?.Value ?? "",
                    Field(diameter, "diameter.IMEI")?.Attribute("show")?.Value,
                    Number(diameter, "diameter.Result-Code"),
                    Number(diameter, "diameter.Experimental-Result-Code"),
                    Number(diameter, "diameter.Equipment-Status")));
            }
        }
        return messages;
    }

    private static XElement? Field(XElement scope, string name) =>
        scope.Descendants("field").FirstOrDefault(f => (string?)f.Attribute("name") == name);

    private static int? Number(XElement scope, string name) =>
        Field(scope, name)?.Attribute("show")?.Value is { } s && int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? n : null;

    private static string RunTshark(string[] args)
    {
        using ChildProcess tshark = ChildProcess.Start("tshark", args);
        if (!tshark.WaitForExit(TimeSpan.FromSeconds(60)))
            Assert.Fail($"tshark {string.Join(' ', args)} did not finish within 60 s");
        if (tshark.ExitCode != 0)
            Assert.Fail($"tshark {string.Join(' ', args)} exited with {tshark.ExitCode}:\n{tshark.Transcript}");
        return tshark.Stdout;
    }
}
