namespace ImeiEir.Integration.Tests;

/// <summary>
/// SIGTERM while the server is still starting is a stop, not a crash: it exits 0 and logs no failure and no stack
/// trace, whichever step of the start-up it lands in.
/// </summary>
[TestFixture]
public sealed class StartupStopTests
{
    // A million records to load keep the server starting for a few seconds (a 50M store takes ~10 s to recover: an
    // operator's stop often lands in the start-up), so each step below is long enough to be hit.
    private const int Records = 1_000_000;

    /// <summary>The one start-up warning of a configuration without an SMS gateway: the start's, not the stop's.</summary>
    private const string NoGatewayWarning = "Notify:SendSmsUrl is not set";

    private string _root = null!;
    private string _lists = null!;

    [OneTimeSetUp]
    public void GenerateLists()
    {
        _root = TestEnvironment.NewTempDirectory("sigterm-start");
        _lists = Path.Combine(_root, "lists.csv");
        (int exitCode, _, string transcript) = EirctlTests.RunEirctl(["gen", "--count", Records.ToString(), "--seed", "5", "--out", _lists]);
        Assert.That(exitCode, Is.Zero, transcript);
    }

    [OneTimeTearDown]
    public void DeleteLists() => TestEnvironment.DeleteQuietly(_root);

    // The first log line comes while the host is being built: before it handles signals itself.
    [TestCase("info:", true, TestName = "Sigterm_while_the_host_is_being_built_is_a_clean_stop")]
    [TestCase("Store opened", true, TestName = "Sigterm_once_the_store_has_opened_is_a_clean_stop")]
    [TestCase("Registry opened", true, TestName = "Sigterm_while_the_registry_loads_its_initial_lists_is_a_clean_stop")]
    // Listening, the node still bootstrapping from the registry: the start is over, the stop is an ordinary one.
    [TestCase("ImeiEir listening", false, TestName = "Sigterm_while_the_node_catches_up_is_a_clean_stop")]
    public void Sigterm_during_start_up_is_a_clean_stop(string landsAfter, bool startCancelled)
    {
        string dataDir = Path.Combine(_root, $"data-{Guid.NewGuid():N}");
        string dll = Path.Combine(TestEnvironment.OutputDirectory, "imeieir.dll");
        using ChildProcess server = ChildProcess.Start(TestEnvironment.DotnetHost,
            [dll, "--Diameter:Host=127.0.0.1", "--Diameter:Port=0", "--Http:Port=0", "--Registry:Port=0", "--Sbi:Port=0", $"--DataDir={dataDir}",
             $"--Registry:InitialLists={_lists}", $"--Store:ExpectedRecords={Records}", $"--Registry:ExpectedRecords={Records}",
             $"--Registry:MaxDeltaLines={Records + 1}"]);
        Assert.That(server.WaitForLine(l => l.Contains(landsAfter, StringComparison.Ordinal), TimeSpan.FromSeconds(60), out _), Is.True, server.Transcript);
        server.Signal(ChildProcess.SigTerm);
        Assert.That(server.WaitForExit(TimeSpan.FromSeconds(60)), Is.True, "it stops\n" + server.Transcript);

        Assert.Multiple(() =>
        {
            Assert.That(server.ExitCode, Is.Zero, server.Transcript);
            Assert.That(NoisyEntries(server.StdoutLines.Concat(server.StderrLines).ToList()), Is.Empty, "no warning or failure\n" + server.Transcript);
            Assert.That(server.Transcript, Does.Not.Contain("   at "), "no stack trace\n" + server.Transcript);
            Assert.That(server.Transcript, Does.Not.Contain("Unhandled exception"), server.Transcript);
            if (startCancelled)
            {
                Assert.That(server.Stdout, Does.Not.Contain("ImeiEir listening"), "the signal landed while it was starting\n" + server.Transcript);
                Assert.That(server.StderrLines, Is.EqualTo(new[] { "imeieir: stopped before it was ready" }), server.Transcript);
            }
        });
        TestEnvironment.DeleteQuietly(dataDir);
    }

    /// <summary>The headers of the console logger's warn, fail and crit entries, each with its message line.</summary>
    private static List<string> NoisyEntries(IReadOnlyList<string> lines)
    {
        var noisy = new List<string>();
        for (int i = 0; i < lines.Count; i++)
        {
            if (!lines[i].StartsWith("warn:", StringComparison.Ordinal) && !lines[i].StartsWith("fail:", StringComparison.Ordinal)
                && !lines[i].StartsWith("crit:", StringComparison.Ordinal))
                continue;
            string message = i + 1 < lines.Count ? lines[i + 1].Trim() : "";
            if (!message.Contains(NoGatewayWarning, StringComparison.Ordinal))
                noisy.Add($"{lines[i]} {message}");
        }
        return noisy;
    }
}
