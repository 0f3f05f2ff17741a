using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace ImeiEir.Registry.Tests.Overview;

/// <summary><c>eirctl overview</c> (the real eirctl.dll) against the registry API on Kestrel at 127.0.0.1 (a free port).</summary>
public sealed class EirctlOverviewTests
{
    private TempDirectory _directory = null!;
    private RegistryService _registry = null!;
    private RegistryOverview _overview = null!;
    private FeedFollowers _followers = null!;

    [SetUp]
    public async Task SetUp()
    {
        _directory = new TempDirectory();
        _registry = await TestData.OpenAsync(_directory.Path, time: new FakeTimeProvider(new DateTimeOffset(2025, 9, 10, 12, 0, 0, TimeSpan.Zero)));
        await TestData.PushCsvAsync(_registry, $"imei,list,reason,deadline\n{TestData.Text(1)},white,verified,\n{TestData.Text(2)},grey,unverified,2025-09-12\n");
        _overview = new RegistryOverview(_registry, null);
        _followers = new FeedFollowers();
        _followers.Open("eir-north", "10.0.0.5", 1, _registry.Time.GetUtcNow().ToUnixTimeMilliseconds()).Closed(_registry.Time.GetUtcNow().ToUnixTimeMilliseconds());
    }

    [TearDown]
    public async Task TearDown()
    {
        _overview.Dispose();
        await _registry.DisposeAsync();
        _directory.Dispose();
    }

    /// <summary>The registry API, and with <paramref name="notifier"/> a notices summary as the notifier would answer it.</summary>
    private async Task<WebApplication> StartAsync(bool notifier)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(_registry);
        builder.Services.AddSingleton(_overview);
        builder.Services.AddSingleton(_followers);
        WebApplication app = builder.Build();
        app.MapRegistryApi();
        if (notifier)
            app.MapGet("/v1/notices/summary", () => Results.Text("""{"parked":1,"pending":2,"sent":3,"delivered":4,"undelivered":5,"failed":6,"retries":7}""", "application/json"));
        await app.StartAsync();
        return app;
    }

    private static (int ExitCode, string Stdout, string Transcript) Eirctl(WebApplication app, string token) =>
        ChildProcess.RunDll("eirctl.dll", ["overview", "--registry", app.Urls.Single(), "--token", token]);

    [Test]
    public async Task Overview_prints_the_counts_the_days_the_outbox_and_the_followers()
    {
        await using WebApplication app = await StartAsync(notifier: true);
        (int exit, string stdout, string transcript) = Eirctl(app, TestData.ReaderToken);
        Assert.That(exit, Is.Zero, transcript);
        string[] lines = stdout.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.Multiple(() =>
        {
            Assert.That(lines[0], Is.EqualTo($"Registry at change 2, generation {_registry.Generation}, 2025-09-10T17:00:00+05:00"), transcript);
            Assert.That(lines, Does.Contain("Records: 1 white, 1 grey, 0 black, 0 paired"), transcript);
            Assert.That(lines, Does.Contain("2025-09-10          2"), transcript);
            Assert.That(lines, Does.Contain("2025-09-12          1"), transcript);
            Assert.That(lines, Does.Contain("SMS outbox: 1 parked, 2 pending, 3 sent, 4 delivered, 5 undelivered, 6 failed, 7 retries"), transcript);
            Assert.That(lines.Last(), Does.Match(@"^eir-north +10\.0\.0\.5 +1 +1 +1 +no +2025-09-10T17:00:00\+05:00$"), transcript);
        });
    }

    [Test]
    public async Task Without_a_notifier_the_overview_says_so_and_a_refused_token_exits_4()
    {
        await using WebApplication app = await StartAsync(notifier: false);
        (int exit, string stdout, string transcript) = Eirctl(app, TestData.ReaderToken);
        Assert.That(exit, Is.Zero, transcript);
        Assert.That(stdout, Does.Contain("SMS outbox: no notifier in this registry process"), transcript);
        Assert.That(stdout, Does.Contain("Followers:"), transcript);

        (exit, _, transcript) = Eirctl(app, "not-a-token-0123456789");
        Assert.That(exit, Is.EqualTo(4), transcript);
    }
}
