using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using ImeiEir.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace ImeiEir.Registry.Tests;

/// <summary>The feed's retention window through a real Kestrel on 127.0.0.1 (a free port): 409 below it, then a bootstrap.</summary>
public class RetentionHttpTests
{
    [Test, CancelAfter(60_000)]
    public async Task A_node_behind_the_feed_window_gets_409_and_bootstraps_from_the_snapshot()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 5, 10, 0, 0, TimeSpan.Zero));
        await using RegistryService registry = await TestData.OpenAsync(dir.Path, TestData.Options(o =>
        {
            o.FeedRetention = TimeSpan.FromHours(1);
            o.CheckpointInterval = TimeSpan.FromDays(40);
        }), time);
        await TestData.PushCsvAsync(registry, "imei,list,reason\n" + string.Concat(Enumerable.Range(0, 4).Select(i => $"{TestData.Text(i)},white,verified\n")));
        time.Advance(TimeSpan.FromDays(2));
        await TestData.PushCsvAsync(registry, $"imei,list,reason\n{TestData.Text(0)},black,stolen\n");
        await registry.CheckpointAsync(CancellationToken.None);

        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(registry);
        builder.Services.AddSingleton(registry.Options);
        await using WebApplication app = builder.Build();
        app.MapRegistryApi();
        await app.StartAsync();
        using var http = new HttpClient(new SocketsHttpHandler { MaxResponseDrainSize = 0 }) { BaseAddress = new Uri(app.Urls.Single()), Timeout = TimeSpan.FromSeconds(20) };
        HttpRequestMessage Get(string path)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestData.ReaderToken);
            return request;
        }

        // A node that applied change 3 (two days old, the window is one hour): refused, naming where the feed begins.
        using HttpResponseMessage refused = await http.SendAsync(Get("/v1/feed?after=3"));
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(refused.Headers.GetValues(FeedFormat.GenerationHeader).Single(), Is.EqualTo(registry.Generation.ToString()));
        string detail = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString()!;
        Assert.That(detail, Does.Contain("from 5").And.Contain("Registry:FeedRetention").And.Contain("/v1/snapshot"));

        // What the node does next: the snapshot, then the feed from the snapshot's sequence.
        byte[] snapshot = await (await http.SendAsync(Get("/v1/snapshot"))).Content.ReadAsByteArrayAsync();
        Assert.That(SnapshotFormat.TryReadHeader(snapshot, out ulong sequence, out _), Is.True);
        Assert.That(sequence, Is.EqualTo(5UL));
        using HttpResponseMessage following = await http.SendAsync(Get($"/v1/feed?after={sequence}"), HttpCompletionOption.ResponseHeadersRead);
        Assert.That(following.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        // A node at the window's edge (change 4 applied: the next one, 5, is kept) follows on.
        using HttpResponseMessage edge = await http.SendAsync(Get("/v1/feed?after=4"), HttpCompletionOption.ResponseHeadersRead);
        Assert.That(edge.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await app.StopAsync();
    }
}
