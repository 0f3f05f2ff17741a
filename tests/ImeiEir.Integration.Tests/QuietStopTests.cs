namespace ImeiEir.Integration.Tests;

/// <summary>A stop asked for with SIGTERM is not a failure: it logs no warning and no failure.</summary>
[TestFixture]
public sealed class QuietStopTests
{
    [Test]
    [Repeat(10)] // the registry closing the feed and the agent being told to stop race: a few stops show it
    public void An_all_in_one_stopped_with_SIGTERM_logs_no_warning_or_failure()
    {
        using ServerProcess server = ServerProcess.Start();
        int before = server.Output.Length; // start-up warnings (no SMS gateway configured) are the start's, not the stop's
        Assert.That(server.Stop(), Is.Zero, server.Output);
        string[] noisy = server.Output[before..].Split('\n').Where(l => l.Contains("warn:", StringComparison.Ordinal) || l.Contains("fail:", StringComparison.Ordinal)).ToArray();
        Assert.That(noisy, Is.Empty, server.Output);
    }
}
