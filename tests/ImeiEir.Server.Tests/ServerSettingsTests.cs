using ImeiEir.Core;
using ImeiEir.Server.Hosting;
using Microsoft.Extensions.Configuration;

namespace ImeiEir.Server.Tests;

[TestFixture]
public sealed class ServerSettingsTests
{
    private static ServerSettings Load(params string[] args) =>
        ServerSettings.Load(new ConfigurationBuilder().AddCommandLine(args).Build());

    private static string ErrorOf(params string[] args) =>
        Assert.Throws<ConfigurationException>(() => Load(args))!.Message;

    [Test]
    public void Defaults_are_valid_and_documented_values()
    {
        ServerSettings settings = Load();
        Assert.That(settings.Diameter.Host, Is.EqualTo("127.0.0.1"));
        Assert.That(settings.Diameter.Port, Is.EqualTo(3868));
        Assert.That(settings.Diameter.OriginHost, Is.EqualTo("eir.localdomain"));
        Assert.That(settings.Diameter.MaxMessageSize, Is.EqualTo(65536));
        Assert.That(settings.Policy.HomeNetworks, Is.EqualTo(new[] { "401" }));
        Assert.That(settings.DataDir, Is.EqualTo(Path.GetFullPath("data")));
    }

    [Test]
    public void A_configured_array_replaces_the_default_instead_of_appending_to_it()
    {
        ServerSettings settings = Load("--Policy:HomeNetworks:0=25001", "--Policy:HomeNetworks:1=25002");
        Assert.That(settings.Policy.HomeNetworks, Is.EqualTo(new[] { "25001", "25002" }));
        Assert.That(DecisionPolicy.Create(settings.Policy).IsHomeSubscriber("401011234567890"u8), Is.False);
    }

    [TestCase("--Diameter:Port=70000", "Diameter:Port:")]
    [TestCase("--Diameter:Port=abc", "Diameter:Port:")]
    [TestCase("--Diameter:Host=not-an-ip", "Diameter:Host:")]
    [TestCase("--Diameter:OriginHost=bad host", "Diameter:OriginHost:")]
    [TestCase("--Diameter:MaxMessageSize=1001", "Diameter:MaxMessageSize:")]
    [TestCase("--Diameter:WatchdogInterval=soon", "Diameter:WatchdogInterval:")]
    [TestCase("--Diameter:IdleTimeout=00:00:10", "Diameter:IdleTimeout:")]
    [TestCase("--Diameter:Prot=3869", "Diameter:Prot:")]
    [TestCase("--Store:InitialLists=/nonexistent/lists.csv", "Store:InitialLists:")]
    [TestCase("--Store:CheckpointInterval=-00:01:00", "Store:CheckpointInterval:")]
    [TestCase("--Policy:HomeNetworks:0=4O1", "Policy:HomeNetworks")]
    [TestCase("--Policy:UnknownAnswer=Maybe", "Policy:UnknownAnswer:")]
    [TestCase("--Policy:RegimeStart=yesterday", "Policy:RegimeStart:")]
    public void Bad_configuration_is_one_line_that_names_the_key(string argument, string key)
    {
        string message = ErrorOf(argument);
        Assert.That(message, Does.StartWith(key));
        Assert.That(message, Does.Not.Contain("\n"));
    }
}
