using static ImeiEir.Integration.Tests.TestLists;

namespace ImeiEir.Integration.Tests;

/// <summary><c>eirctl check</c>, the operator's one-shot ME-Identity-Check, against the real server.</summary>
[TestFixture]
public sealed class EirctlTests
{
    private static readonly string[] s_lists = ["WHITELISTED", "BLACKLISTED", "GREYLISTED"];

    private ServerProcess? _server;

    [OneTimeSetUp]
    public void StartServer() => _server = ServerProcess.Start();

    [OneTimeTearDown]
    public void StopServer() => _server?.Dispose();

    [TestCase(White, null, "WHITELISTED")]
    [TestCase(Black, HomeImsi, "BLACKLISTED")]
    [TestCase(Grey, HomeImsi, "GREYLISTED")]
    [TestCase(Unknown, HomeImsi, "GREYLISTED")]
    [TestCase(Unknown, ForeignImsi, "WHITELISTED")]
    public void Check_names_the_list_and_the_result_code(string imei, string? imsi, string list)
    {
        string[] args = imsi is null
            ? ["check", imei, "--diameter", _server!.Endpoint]
            : ["check", imei, "--imsi", imsi, "--diameter", _server!.Endpoint];
        (int exitCode, string stdout, string transcript) = RunEirctl(args);

        string diagnostics = $"\n--- eirctl ---\n{transcript}\n--- server ---\n{_server.Output}";
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.Zero, "exit code" + diagnostics);
            Assert.That(stdout, Does.Contain(list), diagnostics);
            foreach (string other in s_lists.Where(l => l != list))
                Assert.That(stdout, Does.Not.Contain(other), diagnostics);
            Assert.That(stdout, Does.Contain("2001"), "the Result-Code" + diagnostics);
        });
    }

    [Test]
    public void Check_reaches_the_EIR_by_host_name()
    {
        (int exitCode, string stdout, string transcript) = RunEirctl(["check", White, "--diameter", $"localhost:{_server!.Port}"]);
        string diagnostics = $"\n--- eirctl ---\n{transcript}\n--- server ---\n{_server.Output}";
        Assert.That(exitCode, Is.Zero, "exit code" + diagnostics);
        Assert.That(stdout, Does.Contain("WHITELISTED").And.Contain("2001"), diagnostics);
    }

    [Test]
    public void Check_nothing_listening_fails_with_a_clear_message()
    {
        int port = TestEnvironment.UnusedLoopbackPort();
        (int exitCode, _, string transcript) = RunEirctl(["check", White, "--diameter", $"127.0.0.1:{port}", "--timeout", "3"]);
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.Not.Zero, transcript);
            Assert.That(transcript, Does.Contain($"127.0.0.1:{port}"), "the message names the endpoint");
            Assert.That(transcript, Does.Contain("connect").IgnoreCase, "the message says it could not connect");
            Assert.That(transcript, Does.Not.Contain("Unhandled exception").And.Not.Contain("   at "), "no stack trace");
        });
    }

    internal static (int ExitCode, string Stdout, string Transcript) RunEirctl(string[] args)
    {
        string dll = Path.Combine(TestEnvironment.OutputDirectory, "eirctl.dll");
        if (!File.Exists(dll)) Assert.Fail($"{dll} is missing: the test project references tools/eirctl, build it");
        using ChildProcess eirctl = ChildProcess.Start(TestEnvironment.DotnetHost, [dll, .. args]);
        if (!eirctl.WaitForExit(TimeSpan.FromSeconds(60)))
            Assert.Fail($"eirctl {string.Join(' ', args)} did not finish within 60 s:\n{eirctl.Transcript}");
        return (eirctl.ExitCode, eirctl.Stdout, $"$ eirctl {string.Join(' ', args)}  (exit {eirctl.ExitCode})\n{eirctl.Transcript}");
    }
}

/// <summary>The server executable's own contract: bad configuration is exit code 2 and one line naming the key.</summary>
[TestFixture]
public sealed class ServerStartupTests
{
    [TestCase("--Diameter:Port=notaport", "Diameter:Port")]
    [TestCase("--Policy:UnknownAnswer=Maybe", "Policy:UnknownAnswer")]
    public void Bad_configuration_exits_with_code_2_naming_the_key(string badArgument, string key)
    {
        string dll = Path.Combine(TestEnvironment.OutputDirectory, "imeieir.dll");
        string dataDir = TestEnvironment.NewTempDirectory("badcfg");
        try
        {
            using ChildProcess server = ChildProcess.Start(TestEnvironment.DotnetHost,
                [dll, "--Diameter:Host=127.0.0.1", "--Diameter:Port=0", "--Http:Port=0", "--Registry:Port=0", $"--DataDir={dataDir}", badArgument]);
            if (!server.WaitForExit(TimeSpan.FromSeconds(30)))
                Assert.Fail($"the server kept running with {badArgument}:\n{server.Transcript}");
            Assert.Multiple(() =>
            {
                Assert.That(server.ExitCode, Is.EqualTo(2), server.Transcript);
                Assert.That(server.StderrLines, Has.Count.EqualTo(1), "one line on stderr\n" + server.Transcript);
                Assert.That(server.Stderr, Does.Contain(key), server.Transcript);
                Assert.That(server.Stdout, Does.Not.Contain("ImeiEir ready"), server.Transcript);
            });
        }
        finally
        {
            TestEnvironment.DeleteQuietly(dataDir);
        }
    }
}
