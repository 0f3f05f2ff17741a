using ImeiEir.Server.Hosting;
using Microsoft.Extensions.Configuration;

namespace ImeiEir.Server.Tests;

/// <summary>The sender lease of a registry on several machines (Notify:Lease:*) as the server reads it.</summary>
[TestFixture]
public sealed class NotifierLeaseSettingsTests
{
    private static ServerSettings Load(params string[] args) =>
        ServerSettings.Load(new ConfigurationBuilder().AddCommandLine(args).Build());

    [Test]
    public void Notify_Lease_is_read_with_its_documented_defaults()
    {
        Assert.That((Load().Notify.Lease.TimeToLive, Load().Notify.Lease.DlrWait), Is.EqualTo((TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30))));
        ServerSettings set = Load("--Notify:Lease:TimeToLive=00:00:05", "--Notify:Lease:DlrWait=00:01:00");
        Assert.That((set.Notify.Lease.TimeToLive, set.Notify.Lease.DlrWait), Is.EqualTo((TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(1))));
    }

    [TestCase("--Notify:Lease:TimeToLive=00:00:00.5", "Notify:Lease:TimeToLive: 00:00:00.5000000 must be between 00:00:01 and 00:05:00")]
    [TestCase("--Notify:Lease:DlrWait=00:00:05", "Notify:Lease:DlrWait: 00:00:05 must be between Notify:RequestTimeout (00:00:10) and 01:00:00")]
    [TestCase("--Notify:Lease:Ttl=00:00:05", "Notify:Lease:Ttl: unknown setting")]
    public void A_bad_lease_setting_stops_start_up_with_one_line_naming_the_key(string argument, string expected)
    {
        string message = Assert.Throws<ConfigurationException>(() => Load(argument))!.Message;
        Assert.That(message, Does.StartWith(expected));
        Assert.That(message, Does.Not.Contain('\n'));
    }
}
