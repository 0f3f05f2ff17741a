using static ImeiEir.Integration.Tests.EirctlTests;

namespace ImeiEir.Integration.Tests;

/// <summary>
/// <c>eirctl token</c> against a running registry process: a credential added while it runs pushes under its own
/// name with a comment that history shows, is listed without its token, and is refused once revoked, all without a
/// restart.
/// </summary>
/// <remarks>Runs on a Local registry only (see <see cref="ClusterFixture"/>): it is about one registry process's own tokens file.</remarks>
[TestFixture]
[NonParallelizable]
public sealed class CredentialsCliTests : ClusterFixture
{
    protected override string Name => "credentials";

    [Test]
    [CancelAfter(180_000)]
    public void A_credential_added_while_the_registry_runs_pushes_under_its_name_and_is_refused_once_revoked()
    {
        string dataDir = Path.Combine(Root, "registry");
        ClusterProcess registry = Track(ClusterProcess.StartRegistry("registry", dataDir, ClusterClient.AdminToken, ClusterClient.ReaderToken));
        string url = registry.RegistryUrl.ToString();
        string imei = Deltas.ImeiOf(1, 1);
        string delta = Path.Combine(Root, "delta.csv");
        File.WriteAllText(delta, Deltas.Header + $"set,{imei},black,stolen,,\n");

        (int added, string addOut, string addTranscript) = RunEirctl(["token", "add", "police-1", "--role", "admin", "--data-dir", dataDir]);
        Assert.That(added, Is.Zero, addTranscript);
        string token = addOut.TrimEnd().Split('\n')[^1].Trim();
        Assert.That(token, Has.Length.EqualTo(43), "the token alone on the last line\n" + addTranscript);

        (int pushed, _, string pushTranscript) = RunEirctl(["push", delta, "--registry", url, "--token", token, "--comment", "police report 77/2026"]);
        Assert.That(pushed, Is.Zero, pushTranscript + "\n--- registry ---\n" + registry.Output);

        (int history, string historyOut, string historyTranscript) = RunEirctl(["history", imei, "--registry", url, "--token", ClusterClient.ReaderToken]);
        Assert.That(history, Is.Zero, historyTranscript);
        Assert.That(historyOut, Does.Contain("by police-1: \"police report 77/2026\""), historyTranscript);

        (int listed, string listOut, string listTranscript) = RunEirctl(["token", "list", "--data-dir", dataDir]);
        Assert.That(listed, Is.Zero, listTranscript);
        Assert.That(listOut, Does.Contain("police-1").And.Contain("admin").And.Not.Contain(token), listTranscript);

        (int revoked, _, string revokeTranscript) = RunEirctl(["token", "revoke", "police-1", "--data-dir", dataDir]);
        Assert.That(revoked, Is.Zero, revokeTranscript);
        (int refused, _, string refusedTranscript) = RunEirctl(["push", delta, "--registry", url, "--token", token]);
        Assert.That(refused, Is.Not.Zero, refusedTranscript);
        Assert.That(refusedTranscript, Does.Contain("401"), refusedTranscript);
        Assert.That(registry.Output, Does.Not.Contain(token), "the token is never logged");
    }

    [Test]
    [CancelAfter(60_000)]
    public void A_malformed_tokens_file_stops_the_start_with_one_line_naming_the_file_and_line()
    {
        string dataDir = Path.Combine(Root, "bad");
        string tokens = Path.Combine(dataDir, "registry", "tokens");
        Directory.CreateDirectory(Path.GetDirectoryName(tokens)!);
        File.WriteAllText(tokens, "# named credentials\npolice-1 admin\n");
        string dll = Path.Combine(TestEnvironment.OutputDirectory, "imeieir.dll");
        using ChildProcess server = ChildProcess.Start(TestEnvironment.DotnetHost,
            [dll, "--Mode=registry", "--Http:Host=127.0.0.1", "--Http:Port=0", "--Registry:Host=127.0.0.1", "--Registry:Port=0", $"--DataDir={dataDir}"]);
        if (!server.WaitForExit(TimeSpan.FromSeconds(30)))
            Assert.Fail($"the registry kept running with a malformed tokens file:\n{server.Transcript}");
        Assert.Multiple(() =>
        {
            Assert.That(server.ExitCode, Is.EqualTo(2), server.Transcript);
            Assert.That(server.StderrLines, Has.Count.EqualTo(1), "one line on stderr\n" + server.Transcript);
            Assert.That(server.Stderr, Does.Contain($"{tokens} line 2"), server.Transcript);
        });
    }
}
