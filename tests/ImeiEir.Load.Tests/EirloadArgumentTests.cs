namespace ImeiEir.Load.Tests;

/// <summary>eirload refuses a bad argument with exit code 1 and one line naming it, before it opens a socket.</summary>
public sealed class EirloadArgumentTests
{
    [TestCase("--lists-date", "2026-13-01", "--lists-date '2026-13-01' is not a date yyyy-MM-dd")]
    [TestCase("--lists-date", "04.12.2026", "--lists-date '04.12.2026' is not a date yyyy-MM-dd")]
    [TestCase("--depth", "0", "--depth must be 1 to 65536")]
    [TestCase("--tick-us", "0", "--tick-us must be 1 to 100000")]
    public void A_bad_argument_is_one_line_naming_it(string option, string value, string expected)
    {
        // Port 9 (discard) on loopback is never contacted: the arguments are refused first.
        using ChildProcess eirload = ChildProcess.StartDll("eirload.dll", "--diameter", "127.0.0.1:9", option, value, "-n", "1");
        Assert.That(eirload.WaitForExit(TimeSpan.FromSeconds(60)), Is.True, eirload.Transcript);
        Assert.That(eirload.ExitCode, Is.EqualTo(1), eirload.Transcript);
        Assert.That(eirload.Transcript, Does.Contain("eirload: " + expected));
    }
}
