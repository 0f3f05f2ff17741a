using ImeiEir.Notify.Delivery;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Notify.Tests;

/// <summary><see cref="NotifyServiceCollectionExtensions.AddImeiEirNotify"/> as a host would use it.</summary>
public class HostingTests
{
    [Test]
    public async Task The_host_opens_the_notifier_runs_the_sender_and_closes_the_journal()
    {
        using var dir = new TempDirectory();
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddImeiEirNotify(new NotifyOptions { DataDirectory = dir.Path });
        using (IHost host = builder.Build())
        {
            await host.StartAsync();
            Notifier notifier = host.Services.GetRequiredService<Notifier>();
            Assert.That(notifier.Outbox.Enqueue(TestData.Grey()), Is.True);
            Assert.That(host.Services.GetServices<IHostedService>().OfType<NotifierService>().Single(),
                Is.SameAs(host.Services.GetRequiredService<NotifierService>()));
            await host.StopAsync();
        }
        // Disposed with the host: the journal is closed and a new notifier opens it with the notice in it.
        using Notifier reopened = await TestData.OpenAsync(dir.Path, TimeProvider.System);
        Assert.That(reopened.Outbox.ParkedCount, Is.EqualTo(1));
    }

    [Test]
    public void Bad_options_stop_the_host_naming_the_key()
    {
        using var dir = new TempDirectory();
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddImeiEirNotify(new NotifyOptions { DataDirectory = dir.Path, SendSmsUrl = "http://127.0.0.1:13013/cgi-bin/sendsms" });
        using IHost host = builder.Build();
        var error = Assert.ThrowsAsync<ArgumentException>(() => host.StartAsync());
        Assert.That(error!.Message, Does.Contain("Notify:Username: required").And.Contain("Notify:From: required"));
    }
}
