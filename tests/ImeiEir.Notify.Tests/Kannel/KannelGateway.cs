using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ImeiEir.Notify.Tests.Kannel;

/// <summary>
/// Real Kannel (bearerbox + fakesmsc + smsbox from Debian's kannel and kannel-extras) through the recipe in
/// tests/peers/kannel, on 127.0.0.1 and ports free at run time. It can be stopped and started again on the same
/// ports (the gateway-down test); the fake SMSC's log, which a start truncates, is kept across restarts.
/// </summary>
internal sealed class KannelGateway : IDisposable
{
    public const string User = "tester";
    public const string Password = "foobar";

    private static readonly string[] s_binaries = ["/usr/sbin/bearerbox", "/usr/sbin/smsbox", "/usr/lib/kannel/test/fakesmsc"];

    private readonly string _directory;
    private readonly Dictionary<string, string> _environment;
    private readonly StringBuilder _earlierLogs = new();
    private readonly int _sendSmsPort;

    private KannelGateway(string directory)
    {
        _directory = directory;
        int[] ports = FreePorts(4);
        _sendSmsPort = ports[2];
        _environment = new Dictionary<string, string>
        {
            ["KANNEL_DIR"] = directory,
            ["KANNEL_ADMIN_PORT"] = ports[0].ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["KANNEL_SMSBOX_PORT"] = ports[1].ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["KANNEL_SENDSMS_PORT"] = ports[2].ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["KANNEL_FAKESMSC_PORT"] = ports[3].ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["KANNEL_SMS_USER"] = User,
            ["KANNEL_SMS_PASS"] = Password,
            ["KANNEL_STOP_TIMEOUT"] = "10",
        };
    }

    public string SendSmsUrl => $"http://127.0.0.1:{_sendSmsPort}/cgi-bin/sendsms";

    public bool Running { get; private set; }

    private static string Recipe => Path.Combine(TestContext.CurrentContext.TestDirectory, "peers", "kannel");

    private string FakeSmscLogPath => Path.Combine(_directory, "logs", "fakesmsc.log");

    /// <summary>Starts Kannel in <paramref name="directory"/>; fails the test (never skips it) when Kannel is not installed.</summary>
    public static KannelGateway Start(string directory)
    {
        string[] missing = [.. s_binaries.Where(b => !File.Exists(b))];
        if (missing.Length > 0)
            Assert.Fail($"{string.Join(", ", missing)} not found: these tests run real Kannel. Install it: apt-get install -y kannel kannel-extras");
        var gateway = new KannelGateway(directory);
        gateway.Start();
        return gateway;
    }

    /// <summary>Runs run_kannel.sh, which returns once smsbox accepts sendsms requests.</summary>
    public void Start()
    {
        if (File.Exists(FakeSmscLogPath)) _earlierLogs.Append(File.ReadAllText(FakeSmscLogPath)).Append('\n');
        RunScript("run_kannel.sh");
        Running = true;
    }

    /// <summary>Runs stop_kannel.sh (SIGTERM, then SIGKILL after 10 s) for the boxes of this gateway only.</summary>
    public void Stop()
    {
        if (!Running) return;
        Running = false;
        RunScript("stop_kannel.sh");
    }

    /// <summary>Every SMS the fake SMSC got since the first start.</summary>
    public List<ReceivedSms> Received()
    {
        string current = File.Exists(FakeSmscLogPath) ? ReadShared(FakeSmscLogPath) : "";
        return FakeSmscLog.Parse(_earlierLogs + current);
    }

    /// <summary>The SMS sent to <paramref name="msisdn"/>.</summary>
    public List<ReceivedSms> ReceivedBy(string msisdn) => [.. Received().Where(m => m.To == msisdn)];

    /// <summary>
    /// Sends an SMS to <paramref name="msisdn"/> through sendsms and waits until the fake SMSC has it. Kannel's one
    /// SMSC link delivers in order, so every SMS Kannel accepted before has arrived by then too.
    /// </summary>
    public async Task SendAndAwaitAsync(string msisdn, string text)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        string url = $"{SendSmsUrl}?username={User}&password={Password}&from=1414&to={msisdn}&text={Uri.EscapeDataString(text)}&charset=UTF-8&coding=2";   // UCS-2, as the notifier sends
        using HttpResponseMessage response = await http.GetAsync(new Uri(url));
        Assert.That(response.IsSuccessStatusCode, Is.True, $"sendsms answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        await Eventually.UntilAsync(() => ReceivedBy(msisdn).Any(m => m.Text == text), TimeSpan.FromSeconds(20),
            $"the SMS to {msisdn} at the fake SMSC", Logs);
    }

    /// <summary>The end of Kannel's logs, for failure messages.</summary>
    public string Logs()
    {
        var text = new StringBuilder();
        foreach (string name in new[] { "bearerbox.log", "smsbox.log", "smsbox-access.log" })
        {
            string path = Path.Combine(_directory, "logs", name);
            if (!File.Exists(path)) continue;
            string[] lines = ReadShared(path).Split('\n');
            text.Append("--- ").Append(name).Append(" (last 15 lines) ---\n").AppendJoin('\n', lines.TakeLast(15)).Append('\n');
        }
        return text.ToString();
    }

    public void Dispose() => Stop();

    private void RunScript(string script)
    {
        var info = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(Recipe, script));
        foreach ((string key, string value) in _environment) info.Environment[key] = value;
        using var process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{script} did not finish within 60 s");
        }
        process.WaitForExit();
        if (process.ExitCode != 0)
            Assert.Fail($"{script} failed (exit {process.ExitCode}):\n{stdout.Result}\n{stderr.Result}\n{Logs()}");
    }

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    // Bound together, then released: distinct ports nothing listened on a moment ago.
    private static int[] FreePorts(int count)
    {
        var listeners = new List<TcpListener>();
        try
        {
            for (int i = 0; i < count; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                listeners.Add(listener);
            }
            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            foreach (TcpListener listener in listeners) listener.Stop();
        }
    }
}
