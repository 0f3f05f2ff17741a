using ImeiEir.Notify.Delivery;
using Microsoft.Extensions.Configuration;

namespace ImeiEir.Notify.Tests;

public class OptionsTests
{
    [Test]
    public void Defaults_are_valid_and_documented_values()
    {
        var options = new NotifyOptions();
        Assert.Multiple(() =>
        {
            Assert.That(options.Validate(), Is.Empty);
            Assert.That(options.DeliveryEnabled, Is.False);
            Assert.That(options.RatePerSecond, Is.EqualTo(10));
            Assert.That(options.InitialBackoff, Is.EqualTo(TimeSpan.FromSeconds(1)));
            Assert.That(options.MaxBackoff, Is.EqualTo(TimeSpan.FromMinutes(5)));
            Assert.That(options.MaxAttempts, Is.Zero);
            Assert.That(options.DlrMask, Is.EqualTo(31));
            Assert.That(options.DailyReminderTime, Is.EqualTo(new TimeOnly(12, 0)));
            Assert.That(options.DataDirectory, Is.EqualTo(Path.Combine("data", "notify")));
        });
    }

    [Test]
    public void Every_bad_option_is_named_on_its_own_line()
    {
        var options = new NotifyOptions
        {
            SendSmsUrl = "http://127.0.0.1:13013/cgi-bin/sendsms",
            From = "a sender name that is far too long",
            DlrUrl = "ftp://x/dlr",
            DlrMask = 0,
            DlrToken = "short",
            RatePerSecond = 0,
            InitialBackoff = TimeSpan.Zero,
            MaxBackoff = TimeSpan.FromMilliseconds(-1),
            MaxAttempts = -1,
            RequestTimeout = TimeSpan.Zero,
            DataDirectory = "",
            MaxImportBytes = 10,
            RetainDays = 0,
        };
        IReadOnlyList<string> problems = options.Validate();
        Assert.That(problems.Select(p => p[..p.IndexOf(':', "Notify:".Length)]), Is.EquivalentTo(new[]
        {
            "Notify:Username", "Notify:Password", "Notify:From", "Notify:DlrUrl", "Notify:DlrMask", "Notify:DlrToken",
            "Notify:RatePerSecond", "Notify:InitialBackoff", "Notify:MaxBackoff", "Notify:MaxAttempts", "Notify:RequestTimeout",
            "Notify:DataDirectory", "Notify:MaxImportBytes",
            "Notify:RetainDays",
        }));
        Assert.That(new NotifyOptions { SendSmsUrl = "not a url" }.Validate(), Has.One.StartsWith("Notify:SendSmsUrl: 'not a url'"));
    }

    [Test]
    public void Binds_from_the_Notify_section()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Notify:SendSmsUrl"] = "http://10.0.0.7:13013/cgi-bin/sendsms",
            ["Notify:Username"] = "eir",
            ["Notify:Password"] = "secret",
            ["Notify:From"] = "KZ-IMEI",
            ["Notify:DlrUrl"] = "http://10.0.0.5:8700/v1/notices/dlr",
            ["Notify:RatePerSecond"] = "25",
            ["Notify:DailyReminderTime"] = "12:30",
            ["Notify:MaxAttempts"] = "20",
        }).Build();
        var options = new NotifyOptions();
        configuration.GetSection(NotifyOptions.Section).Bind(options, o => o.ErrorOnUnknownConfiguration = true);
        Assert.Multiple(() =>
        {
            Assert.That(options.Validate(), Is.Empty);
            Assert.That(options.DeliveryEnabled, Is.True);
            Assert.That(options.RatePerSecond, Is.EqualTo(25));
            Assert.That(options.DailyReminderTime, Is.EqualTo(new TimeOnly(12, 30)));
            Assert.That(options.MaxAttempts, Is.EqualTo(20));
        });
    }

    [Test]
    public void The_sender_lease_binds_from_Notify_Lease_and_each_bad_value_names_its_key()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Notify:Lease:TimeToLive"] = "00:00:00.500",
            ["Notify:Lease:DlrWait"] = "00:00:05",
        }).Build();
        var options = new NotifyOptions();
        configuration.GetSection(NotifyOptions.Section).Bind(options, o => o.ErrorOnUnknownConfiguration = true);
        Assert.That(options.Validate(), Is.EqualTo(new[]
        {
            "Notify:Lease:TimeToLive: 00:00:00.5000000 must be between 00:00:01 and 00:05:00",
            "Notify:Lease:DlrWait: 00:00:05 must be between Notify:RequestTimeout (00:00:10) and 01:00:00",
        }));
        Assert.That(new NotifyOptions().Lease, Has.Property("TimeToLive").EqualTo(TimeSpan.FromSeconds(10)).And.Property("DlrWait").EqualTo(TimeSpan.FromSeconds(30)));

        IConfiguration misspelt = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Notify:Lease:TimeToLife"] = "00:00:10" }).Build();
        Assert.That(() => misspelt.GetSection(NotifyOptions.Section).Bind(new NotifyOptions(), o => o.ErrorOnUnknownConfiguration = true),
            Throws.InvalidOperationException.With.Message.Contains("TimeToLife"));
    }

    [TestCase(1, 1000)]
    [TestCase(2, 2000)]
    [TestCase(3, 4000)]
    [TestCase(9, 256_000)]
    [TestCase(10, 300_000)]
    [TestCase(1000, 300_000)]
    public void Back_off_doubles_per_consecutive_failure_up_to_the_cap(int failures, double milliseconds)
    {
        Assert.That(SendBackoff.Delay(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5), failures).TotalMilliseconds, Is.EqualTo(milliseconds));
    }
}
