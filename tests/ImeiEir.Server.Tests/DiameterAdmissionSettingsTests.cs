using ImeiEir.Server.Hosting;
using Microsoft.Extensions.Configuration;

namespace ImeiEir.Server.Tests;

/// <summary>The admission keys of issue 22 (MaxPendingConnections, FrameTimeout, AllowedPeers) as an operator writes them.</summary>
[TestFixture]
public sealed class DiameterAdmissionSettingsTests
{
    private static ServerSettings Load(params string[] args) =>
        ServerSettings.Load(new ConfigurationBuilder().AddCommandLine(args).Build());

    [Test]
    public void The_admission_keys_have_their_documented_defaults()
    {
        ServerSettings settings = Load();
        Assert.That(settings.Diameter.MaxPendingConnections, Is.EqualTo(64));
        Assert.That(settings.Diameter.CerTimeout, Is.EqualTo(TimeSpan.FromSeconds(5)));
        Assert.That(settings.Diameter.FrameTimeout, Is.EqualTo(TimeSpan.FromSeconds(10)));
        Assert.That(settings.Diameter.AllowedPeers, Is.Empty);
    }

    [Test]
    public void Allowed_peers_are_read_as_a_list_and_an_entry_may_hold_several()
    {
        ServerSettings settings = Load("--Diameter:AllowedPeers:0=10.20.0.0/16", "--Diameter:AllowedPeers:1=mme1.example.net, 192.0.2.7");
        Assert.That(settings.Diameter.AllowedPeers, Is.EqualTo(new[] { "10.20.0.0/16", "mme1.example.net, 192.0.2.7" }));
    }

    [TestCase("--Diameter:AllowedPeers:0=10.20.0.0/40", "Diameter:AllowedPeers: '10.20.0.0/40'")]
    [TestCase("--Diameter:MaxPendingConnections=0", "Diameter:MaxPendingConnections: 0 must be at least 1")]
    [TestCase("--Diameter:FrameTimeout=00:00:00", "Diameter:FrameTimeout: 00:00:00 must be positive")]
    [TestCase("--Diameter:MaxPendingConnection=10", "Diameter:MaxPendingConnection")]
    public void A_bad_admission_setting_is_one_line_naming_the_key(string argument, string expected)
    {
        string message = Assert.Throws<ConfigurationException>(() => Load(argument))!.Message;
        Assert.That(message, Does.StartWith(expected));
        Assert.That(message, Does.Not.Contain('\n'));
    }
}
