using ImeiEir.Server.Composition;
using ImeiEir.Server.Tests.Lifecycle;
using Microsoft.AspNetCore.Builder;

namespace ImeiEir.Server.Tests.Deploy;

/// <summary>
/// imeieir_node_ready, which the "node not ready" alert reads, says 0 on a node that never caught up (its registry
/// is a closed 127.0.0.1 port) while /health/ready says 503, and 1 once ready (<see cref="MetricNamesTests"/>).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class NodeReadyGaugeTests
{
    [Test]
    public async Task The_node_ready_gauge_is_0_while_the_node_has_not_caught_up()
    {
        using var root = new TempDirectory();
        int closed = InProcessHost.FreePort();
        (WebApplication app, _, ListenEndpoints endpoints) = ImeiEirApp.Build([
            "--Logging:LogLevel:Default=Warning", "--Mode=eir", $"--DataDir={root.Path}",
            "--Diameter:Port=0", "--Http:Port=0", "--Sbi:Port=0",
            $"--Registry:Url=http://127.0.0.1:{closed}", "--Registry:ReaderToken=reader-token-for-a-closed-port",
        ]);
        await app.StartAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://{endpoints.HttpEndPoint}/"), Timeout = TimeSpan.FromSeconds(20) };
            using HttpResponseMessage ready = await http.GetAsync("health/ready");
            Assert.That((int)ready.StatusCode, Is.EqualTo(503));
            string metrics = await http.GetStringAsync("metrics");
            // MetricsText.Value reads an absent sample as 0: the line itself must be there.
            Assert.That(metrics.Split('\n'), Does.Contain("imeieir_node_ready 0"));
        }
        finally
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await app.StopAsync(timeout.Token);
            await app.DisposeAsync();
        }
    }
}
