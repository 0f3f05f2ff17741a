using System.Net;
using System.Net.Sockets;
using ImeiEir.Testing;

namespace ImeiEir.Load.Tests;

/// <summary>
/// eirctl's argument errors (issue 22, item 10): one line on stderr and exit 1 (usage), before anything is sent.
/// Every target is 127.0.0.1 or localhost on a port chosen at run time and closed, so nothing can answer.
/// </summary>
public sealed class EirctlUsageTests
{
    private const string Imei = "352099001761481";

    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static ChildProcess Run(params string[] arguments)
    {
        var eirctl = ChildProcess.StartDll("eirctl.dll", arguments);
        Assert.That(eirctl.WaitForExit(TimeSpan.FromSeconds(60)), Is.True, eirctl.Transcript);
        return eirctl;
    }

    private static void AssertUsageError(ChildProcess eirctl, string mentions)
    {
        Assert.That(eirctl.ExitCode, Is.EqualTo(1), eirctl.Transcript);
        Assert.That(eirctl.StderrLines, Has.Count.EqualTo(1), eirctl.Transcript);
        Assert.That(eirctl.Stderr, Does.Contain(mentions), eirctl.Transcript);
        Assert.That(eirctl.Stderr, Does.Not.Contain("Exception"), eirctl.Transcript);
    }

    [TestCase("-1")]
    [TestCase("0")]
    [TestCase("1e9")]
    [TestCase("NaN")]
    public void Check_with_an_impossible_timeout_is_a_usage_error_not_a_crash(string timeout)
    {
        using ChildProcess eirctl = Run("check", Imei, "--diameter", $"127.0.0.1:{ClosedPort()}", "--timeout", timeout);
        AssertUsageError(eirctl, "--timeout");
    }

    [Test]
    public void Check_with_a_non_IMSI_says_the_IMSI_is_wrong_before_sending_anything()
    {
        using ChildProcess eirctl = Run("check", Imei, "--imsi", "abc", "--diameter", $"127.0.0.1:{ClosedPort()}");
        AssertUsageError(eirctl, "--imsi");
        Assert.That(eirctl.Stdout, Does.Not.Contain("IMEI"), "not reported as a rejected IMEI");
    }

    [Test]
    public void Check_accepts_a_host_name_for_the_Diameter_endpoint()
    {
        int port = ClosedPort();
        using ChildProcess eirctl = Run("check", Imei, "--diameter", $"localhost:{port}", "--timeout", "5");
        Assert.That(eirctl.ExitCode, Is.EqualTo(3), "resolved and tried, nothing listening: " + eirctl.Transcript);
        Assert.That(eirctl.Stderr, Does.Contain("cannot connect to localhost"), eirctl.Transcript);
    }

    [Test]
    public void Check_with_a_Diameter_endpoint_without_a_valid_port_is_a_usage_error()
    {
        using ChildProcess eirctl = Run("check", Imei, "--diameter", "localhost:notaport");
        AssertUsageError(eirctl, "--diameter");
    }

    [TestCase("status", "abc")]
    [TestCase("status", "")]
    [TestCase("history", "")]
    [TestCase("history", "3520990017614")]
    public void Status_and_history_of_a_non_IMEI_are_usage_errors(string command, string imei)
    {
        using ChildProcess eirctl = Run(command, imei, "--registry", $"http://127.0.0.1:{ClosedPort()}", "--token", "t");
        AssertUsageError(eirctl, "not an IMEI");
    }
}
