using System.Globalization;
using System.Text.RegularExpressions;

namespace ImeiEir.Integration.Tests;

/// <summary>One verbose ECR of the Erlang client and the answer it must get (ok:S, exp:C, rc:C). Public: test cases carry it.</summary>
public sealed record S13Case(string Imei, string? SoftwareVersion, string? Imsi, string Expected, string Why)
{
    public string ToLine() => $"{Imei} {SoftwareVersion ?? "-"} {Imsi ?? "-"} {Expected}";

    public override string ToString() => $"{Why}: {Imei} imsi={Imsi ?? "-"} -> {Expected}";
}

/// <summary>What the Erlang client is asked to do (tests/peers/s13_client.escript documents each variable).</summary>
internal sealed record ErlangRunOptions
{
    public IReadOnlyList<S13Case> Cases { get; init; } = [];

    /// <summary>Load IMEIs with their expected answer (or null: any 2001 + Equipment-Status).</summary>
    public IReadOnlyList<(string Imei, string? Expected)> LoadImeis { get; init; } = [];

    public int LoadRequests { get; init; }

    public int LoadWorkers { get; init; } = 8;

    public string? LoadImsi { get; init; }

    public int HoldMs { get; init; }

    /// <summary>The client's own watchdog timer Tw in ms; OTP's default is 30 s, the escript's 6 s.</summary>
    public int? WatchdogMs { get; init; }

    /// <summary>Instead of disconnecting, wait this long for the server to send DPR.</summary>
    public int AwaitServerDprMs { get; init; }

    public int LoadTimeoutMs { get; init; } = 180_000;
}

/// <summary>
/// The Erlang/OTP diameter S13 client of tests/peers, run through run_erl_s13.sh. The dictionary is compiled once
/// per test run into a temporary directory that <see cref="PeerSetup"/> deletes at the end.
/// </summary>
internal static class ErlangPeer
{
    private static readonly object s_gate = new();
    private static string? s_dictionaryDirectory;

    public static readonly string[] Tools = ["escript", "erl", "erlc", "diameterc"];

    /// <summary>Starts the client against 127.0.0.1:<paramref name="port"/>; the caller waits for it.</summary>
    public static ErlangClient Start(int port, ErlangRunOptions options)
    {
        TestEnvironment.RequireTools(Tools);
        string dictionary = DictionaryDirectory();
        string work = TestEnvironment.NewTempDirectory("erl");
        var environment = new Dictionary<string, string>
        {
            ["W"] = dictionary,
            ["HOST"] = "127.0.0.1",
            ["PORT"] = port.ToString(CultureInfo.InvariantCulture),
            ["N"] = options.LoadRequests.ToString(CultureInfo.InvariantCulture),
            ["CONC"] = options.LoadWorkers.ToString(CultureInfo.InvariantCulture),
            ["HOLD_MS"] = options.HoldMs.ToString(CultureInfo.InvariantCulture),
            ["LOAD_TIMEOUT_MS"] = options.LoadTimeoutMs.ToString(CultureInfo.InvariantCulture),
            ["AWAIT_SERVER_DPR_MS"] = options.AwaitServerDprMs.ToString(CultureInfo.InvariantCulture),
        };
        if (options.WatchdogMs is int tw) environment["WATCHDOG_MS"] = tw.ToString(CultureInfo.InvariantCulture);
        if (options.LoadImsi is not null) environment["LOAD_IMSI"] = options.LoadImsi;
        if (options.Cases.Count > 0)
        {
            string cases = Path.Combine(work, "cases.txt");
            File.WriteAllLines(cases, options.Cases.Select(c => c.ToLine()).Prepend("# imei sv imsi expected"));
            environment["CASES"] = cases;
        }
        if (options.LoadImeis.Count > 0)
        {
            string imeis = Path.Combine(work, "imeis.txt");
            File.WriteAllLines(imeis, options.LoadImeis.Select(i => i.Expected is null ? i.Imei : $"{i.Imei} {i.Expected}"));
            environment["IMEIS"] = imeis;
        }
        string script = Path.Combine(TestEnvironment.PeersDirectory, "run_erl_s13.sh");
        ChildProcess process = ChildProcess.Start("sh", [script], environment, work);
        return new ErlangClient(process, work);
    }

    /// <summary>Runs the client to its end (bounded by <paramref name="timeout"/>) and parses what it printed.</summary>
    public static ErlangResult Run(int port, ErlangRunOptions options, TimeSpan timeout)
    {
        using ErlangClient client = Start(port, options);
        return client.WaitForResult(timeout);
    }

    private static string DictionaryDirectory()
    {
        lock (s_gate)
        {
            if (s_dictionaryDirectory is not null) return s_dictionaryDirectory;
            string dir = TestEnvironment.NewTempDirectory("s13dict");
            string script = Path.Combine(TestEnvironment.PeersDirectory, "run_erl_s13.sh");
            using ChildProcess compile = ChildProcess.Start("sh", [script],
                new Dictionary<string, string> { ["W"] = dir, ["COMPILE_ONLY"] = "1" }, dir);
            bool done = compile.WaitForExit(TimeSpan.FromSeconds(120));
            if (!done || compile.ExitCode != 0 || !File.Exists(Path.Combine(dir, "s13_dict.beam")))
            {
                string why = done ? $"exit code {compile.ExitCode}" : "no exit within 120 s";
                TestEnvironment.DeleteQuietly(dir);
                Assert.Fail($"compiling tests/peers/s13.dia failed ({why}); erlang-dev provides the diameter headers "
                            + $"(tests/run.sh installs it).\n{compile.Transcript}");
            }
            s_dictionaryDirectory = dir;
            return dir;
        }
    }

    internal static void Cleanup()
    {
        lock (s_gate)
        {
            TestEnvironment.DeleteQuietly(s_dictionaryDirectory);
            s_dictionaryDirectory = null;
        }
    }
}

/// <summary>A running Erlang client.</summary>
internal sealed class ErlangClient(ChildProcess process, string workDirectory) : IDisposable
{
    public ChildProcess Process { get; } = process;

    public ErlangResult WaitForResult(TimeSpan timeout)
    {
        if (!Process.WaitForExit(timeout))
        {
            Process.KillTree();
            Assert.Fail($"the Erlang client did not finish within {timeout.TotalSeconds:0} s\n{Process.Transcript}");
        }
        return ErlangResult.Parse(Process.ExitCode, Process.StdoutLines, Process.Transcript);
    }

    public void Dispose()
    {
        Process.Dispose();
        TestEnvironment.DeleteQuietly(workDirectory);
    }
}

/// <summary>One CASE line: <c>CASE phase=P imei=I sv=S imsi=M got=G expected=E PASS|FAIL</c>.</summary>
internal sealed record CaseLine(string Phase, string Imei, string Imsi, string Got, string Expected, bool Pass, string Line);

/// <summary>The client's machine-readable lines, parsed; <see cref="Transcript"/> for failure messages.</summary>
internal sealed partial class ErlangResult
{
    public required int ExitCode { get; init; }

    public required string Transcript { get; init; }

    public string? PeerUpLine { get; init; }

    public IReadOnlyDictionary<string, string> PeerUp { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<CaseLine> Cases { get; init; } = [];

    public IReadOnlyDictionary<string, string>? Load { get; init; }

    public IReadOnlyDictionary<string, string>? Watchdog { get; init; }

    public IReadOnlyDictionary<string, string>? Dpr { get; init; }

    public IReadOnlyDictionary<string, string>? ServerDpr { get; init; }

    public IReadOnlyList<string> Events { get; init; } = [];

    public bool PeerDown { get; init; }

    public string? Result { get; init; }

    public int Count(IReadOnlyDictionary<string, string>? fields, string key) =>
        fields is not null && fields.TryGetValue(key, out string? v) && int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : -1;

    public static ErlangResult Parse(int exitCode, IReadOnlyList<string> lines, string transcript)
    {
        var cases = new List<CaseLine>();
        var events = new List<string>();
        string? peerUp = null, result = null;
        IReadOnlyDictionary<string, string>? load = null, watchdog = null, dpr = null, serverDpr = null;
        bool down = false;
        foreach (string line in lines)
        {
            if (CaseRegex().Match(line) is { Success: true } m)
            {
                cases.Add(new CaseLine(m.Groups["phase"].Value, m.Groups["imei"].Value, m.Groups["imsi"].Value,
                    m.Groups["got"].Value, m.Groups["expected"].Value, m.Groups["verdict"].Value == "PASS", line));
            }
            else if (line.StartsWith("PEER_UP ", StringComparison.Ordinal)) peerUp = line;
            else if (line.StartsWith("S13_LOAD ", StringComparison.Ordinal)) load = Fields(line);
            else if (line.StartsWith("WATCHDOG ", StringComparison.Ordinal)) watchdog = Fields(line);
            else if (line.StartsWith("DPR ", StringComparison.Ordinal)) dpr = Fields(line);
            else if (line.StartsWith("SERVER_DPR ", StringComparison.Ordinal)) serverDpr = Fields(line);
            else if (line.StartsWith("EVENT ", StringComparison.Ordinal)) events.Add(line[6..]);
            else if (line.StartsWith("PEER_DOWN ", StringComparison.Ordinal)) down = true;
            else if (line.StartsWith("S13_RESULT ", StringComparison.Ordinal)) result = line;
        }
        return new ErlangResult
        {
            ExitCode = exitCode,
            Transcript = transcript,
            PeerUpLine = peerUp,
            PeerUp = peerUp is null ? new Dictionary<string, string>() : Fields(peerUp),
            Cases = cases,
            Load = load,
            Watchdog = watchdog,
            Dpr = dpr,
            ServerDpr = serverDpr,
            Events = events,
            PeerDown = down,
            Result = result,
        };
    }

    /// <summary>key=value tokens of a line (values without spaces; a trailing free-form value such as tally is cut).</summary>
    private static Dictionary<string, string> Fields(string line)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string token in line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = token.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0) fields.TryAdd(token[..eq], token[(eq + 1)..]);
        }
        return fields;
    }

    [GeneratedRegex(@"^CASE phase=(?<phase>\S+) imei=(?<imei>\S+) sv=\S+ imsi=(?<imsi>\S+) got=(?<got>.*) expected=(?<expected>\S+) (?<verdict>PASS|FAIL)$")]
    private static partial Regex CaseRegex();
}
