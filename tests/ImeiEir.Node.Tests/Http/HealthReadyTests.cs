using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ImeiEir.Node.Http;
using ImeiEir.Node.Observability;
using ImeiEir.Node.Storage;
using ImeiEir.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ImeiEir.Node.Tests.Http;

/// <summary>/health/ready tells a load balancer whether the node answers checks now, not whether it ever did.</summary>
[TestFixture]
public sealed class HealthReadyTests
{
    [Test, CancelAfter(30_000)]
    public async Task A_node_that_caught_up_once_is_not_ready_while_its_store_is_rebuilt_and_ready_again_once_complete()
    {
        using var directory = new TempDirectory();
        await using var lifecycle = new StoreLifecycle(new StoreOptions { Directory = directory.Path, ExpectedRecords = 1024,
            CheckpointInterval = TimeSpan.Zero }, NullLogger<StoreLifecycle>.Instance, TimeProvider.System);
        await lifecycle.StartAsync(CancellationToken.None);
        lifecycle.Store.MarkComplete();
        var readiness = new NodeReadiness();
        readiness.MarkCaughtUp(7);

        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton(readiness).AddSingleton(lifecycle);
        await using WebApplication app = builder.Build();
        app.MapOperationalEndpoints(new NodeMetrics());
        await app.StartAsync();
        string url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(10) };

        (HttpStatusCode status, string text) before = await ReadyAsync(http);
        await lifecycle.Store.MarkIncompleteAsync(); // as the sync agent does before clearing the store for a new bootstrap
        (HttpStatusCode status, string text) rebuilding = await ReadyAsync(http);
        lifecycle.Store.MarkComplete();
        (HttpStatusCode status, string text) after = await ReadyAsync(http);
        await app.StopAsync();

        Assert.Multiple(() =>
        {
            Assert.That(before, Is.EqualTo((HttpStatusCode.OK, "ready")));
            Assert.That(rebuilding, Is.EqualTo((HttpStatusCode.ServiceUnavailable, "rebuilding")),
                "every check is refused meanwhile: a load balancer must send the AMFs and shops elsewhere");
            Assert.That(after, Is.EqualTo((HttpStatusCode.OK, "ready")));
        });
    }

    private static async Task<(HttpStatusCode, string)> ReadyAsync(HttpClient http)
    {
        using HttpResponseMessage response = await http.GetAsync("/health/ready");
        JsonElement body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (response.StatusCode, body.GetProperty("status").GetString()!);
    }
}
