using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ImeiEir.Node;
using ImeiEir.Server.Composition;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace ImeiEir.Server.Tests.Lifecycle;

/// <summary>
/// A real eir node given <c>Registry:Url=closed,R1,R2</c> (issue 23, item 5): it follows R1 past the closed port; when
/// R1 stops and a registry opens the same data directory on R2 (the same generation), it resumes there from its
/// sequence, without a snapshot, and takes the changes pushed to R2. Every port is 127.0.0.1, chosen at run time.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class RegistryFailoverTests
{
    private const string AdminToken = "admin-token-for-failover-tests";
    private const string ReaderToken = "reader-token-for-failover-tests";
    // "Bootstrap complete": an attempt at the closed port also logs its start (3004), so completions are what is counted.
    private const int BootstrapCompleteEvent = 3006;
    private const int GenerationChangedEvent = 3013;
    private const int RegistrySwitchedEvent = 3015;
    private static readonly string First = Luhn.With("35000047000011");
    private static readonly string Second = Luhn.With("35000047000029");

    private readonly FakeTimeProvider _clock = new(Cluster.Day0);
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(20) };
    private string _root = null!;

    [SetUp]
    public void CreateRoot() => _root = Path.Combine(Path.GetTempPath(), "imeieir-failover-" + Guid.NewGuid().ToString("N"));

    [TearDown]
    public void DeleteRoot()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    [OneTimeTearDown]
    public void DisposeHttp() => _http.Dispose();

    private Task<InProcessHost> StartRegistryAsync(int port) => InProcessHost.StartAsync(_clock,
        "--Mode=registry", $"--DataDir={Path.Combine(_root, "registry")}", "--Http:Port=0",
        "--Registry:Host=127.0.0.1", $"--Registry:Port={port}",
        $"--Registry:AdminToken={AdminToken}", $"--Registry:ReaderToken={ReaderToken}", "--Registry:LoadDemoLists=false");

    private async Task PushAsync(int port, string imei)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{port}/v1/deltas")
        {
            Content = new StringContent($"op,imei,list,reason\nset,{imei},black,stolen\n", Encoding.UTF8, "text/csv"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        using HttpResponseMessage response = await _http.SendAsync(request);
        Assert.That(response.IsSuccessStatusCode, Is.True, await response.Content.ReadAsStringAsync());
    }

    private async Task<JsonElement> ReadyAsync(Uri node) =>
        await _http.GetFromJsonAsync<JsonElement>(new Uri(node, "health/ready"));

    [Test, CancelAfter(120_000)]
    public async Task A_node_follows_past_a_closed_port_and_resumes_without_a_snapshot_on_the_same_registry_data_at_another_port()
    {
        int closed = InProcessHost.FreePort(), r1 = InProcessHost.FreePort(), r2 = InProcessHost.FreePort();
        Assume.That(new[] { closed, r1, r2 }.Distinct().Count(), Is.EqualTo(3), "three distinct ports");
        InProcessHost registry = await StartRegistryAsync(r1);
        try
        {
            await PushAsync(r1, First);
        }
        catch
        {
            await registry.DisposeAsync();
            throw;
        }

        var logs = new LogCapture();
        string[] args =
        [
            "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:ImeiEir=Information", "--Mode=eir", $"--DataDir={Path.Combine(_root, "eir")}",
            "--Diameter:Port=0", "--Http:Port=0", "--Sbi:Port=0",
            $"--Registry:Url=http://127.0.0.1:{closed},http://127.0.0.1:{r1},http://127.0.0.1:{r2}", $"--Registry:ReaderToken={ReaderToken}",
            "--Sync:InitialBackoff=00:00:00.05", "--Sync:MaxBackoff=00:00:00.2",
        ];
        (WebApplication app, _, ListenEndpoints endpoints) = ImeiEirApp.Build(args, services => services.AddSingleton<ILoggerProvider>(logs));
        await using (app)
        {
            try
            {
                await app.StartAsync();
                await app.Services.GetRequiredService<NodeReadiness>().CaughtUp.WaitAsync(TimeSpan.FromSeconds(30));
                var node = new Uri($"http://{endpoints.HttpEndPoint}/");
                Assert.That(await ShowsBlackAsync(node, First), Is.True, "the first push, from R1");
                JsonElement ready = await ReadyAsync(node);
                Assert.That(ready.GetProperty("sync").GetProperty("registry").GetString(), Is.EqualTo($"http://127.0.0.1:{r1}/"), ready.ToString());

                // R1 goes away; the same registry data opens at R2 (one generation, the same change numbers).
                await registry.DisposeAsync();
                registry = await StartRegistryAsync(r2);
                await PushAsync(r2, Second);

                Assert.That(await ShowsBlackAsync(node, Second), Is.True, "the push to R2 reached the node");
                ready = await ReadyAsync(node);
                string metrics = await _http.GetStringAsync(new Uri(node, "metrics"));
                Assert.Multiple(() =>
                {
                    Assert.That(ready.GetProperty("sync").GetProperty("registry").GetString(), Is.EqualTo($"http://127.0.0.1:{r2}/"), ready.ToString());
                    Assert.That(metrics, Does.Contain($"imeieir_sync_registry{{url=\"http://127.0.0.1:{r2}/\"}} 1")
                        .And.Contain($"imeieir_sync_registry{{url=\"http://127.0.0.1:{r1}/\"}} 0")
                        .And.Contain($"imeieir_sync_registry{{url=\"http://127.0.0.1:{closed}/\"}} 0"), metrics);
                    Assert.That(logs.Lines.Count(l => l.Id.Id == BootstrapCompleteEvent), Is.EqualTo(1), "one snapshot, at the first start; none from R2");
                    Assert.That(logs.Lines.Count(l => l.Id.Id == GenerationChangedEvent), Is.Zero);
                    Assert.That(logs.Lines.Any(l => l.Id.Id == RegistrySwitchedEvent && l.Text.Contains($"127.0.0.1:{closed}")), Is.True,
                        "the switch past the closed port is logged");
                });
                await app.StopAsync(CancellationToken.None);
            }
            finally
            {
                await registry.DisposeAsync();
            }
        }
    }

    /// <summary>Waits until the node's lookup (GET /v1/imei) shows <paramref name="imei"/> black (at most 15 s).</summary>
    private Task<bool> ShowsBlackAsync(Uri node, string imei) =>
        InProcessHost.EventuallyAsync(async () =>
        {
            JsonElement record = await _http.GetFromJsonAsync<JsonElement>(new Uri(node, $"v1/imei/{imei}"));
            return record.GetProperty("list").GetString() == "black";
        });
}
