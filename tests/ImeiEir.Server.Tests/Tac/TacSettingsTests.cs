using ImeiEir.Server.Hosting;
using Microsoft.Extensions.Configuration;

namespace ImeiEir.Server.Tests.Tac;

/// <summary>The TAC database's configuration keys are known, bound, and validated into one line naming the key.</summary>
[TestFixture]
public sealed class TacSettingsTests
{
    private static ServerSettings Load(params string[] args) =>
        ServerSettings.Load(new ConfigurationBuilder().AddCommandLine(args).Build());

    [Test]
    public void The_TAC_keys_are_bound()
    {
        ServerSettings settings = Load("--Policy:RequireKnownTac=true", "--Policy:ExemptDeviceTypes:0=Module", "--Policy:ExemptDeviceTypes:1=IoT Device",
            "--Sync:TacCheckInterval=00:00:05");
        Assert.That(settings.Policy.RequireKnownTac, Is.True);
        Assert.That(settings.Policy.ExemptDeviceTypes, Is.EqualTo(new[] { "Module", "IoT Device" }));
        Assert.That(settings.Sync.TacCheckInterval, Is.EqualTo(TimeSpan.FromSeconds(5)));
    }

    [Test]
    public void The_defaults_change_nothing()
    {
        ServerSettings settings = Load();
        Assert.That((settings.Policy.RequireKnownTac, settings.Policy.ExemptDeviceTypes.Length, settings.Sync.TacCheckInterval),
            Is.EqualTo((false, 0, TimeSpan.FromMinutes(1))));
    }

    [TestCase("--Sync:TacCheckInterval=00:00:00.010", "Sync:TacCheckInterval:")]
    [TestCase("--Policy:ExemptDeviceTypes:0= ", "Policy:ExemptDeviceTypes[0]:")]
    public void A_bad_value_is_one_line_naming_the_key(string argument, string key) =>
        Assert.That(Assert.Throws<ConfigurationException>(() => Load(argument))!.Message, Does.StartWith(key));
}
