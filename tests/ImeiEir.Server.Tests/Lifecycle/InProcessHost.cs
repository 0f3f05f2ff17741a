using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ImeiEir.Core;
using ImeiEir.Node;
using ImeiEir.Server.Composition;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace ImeiEir.Server.Tests.Lifecycle;

/// <summary>
/// One imeieir process (registry, eir node or all-in-one) hosted in the test process exactly as Program.cs builds
/// it, on 127.0.0.1 ports chosen at run time, with the regime clock replaced by a fake one.
/// </summary>
internal sealed class InProcessHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ListenEndpoints _endpoints;
    private bool _stopped;

    private InProcessHost(WebApplication app, ListenEndpoints endpoints)
    {
        _app = app;
        _endpoints = endpoints;
    }

    public static async Task<InProcessHost> StartAsync(FakeTimeProvider regimeTime, params string[] args)
    {
        // The SBI port too is chosen at run time unless a test names one (a later argument wins).
        string[] quiet = ["--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:ImeiEir=Warning", "--Sbi:Port=0", .. args];
        (WebApplication app, _, ListenEndpoints endpoints) = ImeiEirApp.Build(quiet,
            services => services.Replace(ServiceDescriptor.Singleton(new RegimeClock(regimeTime))));
        await app.StartAsync();
        var host = new InProcessHost(app, endpoints);
        if (app.Services.GetService<NodeReadiness>() is { } readiness)
            await readiness.CaughtUp.WaitAsync(TimeSpan.FromSeconds(30));
        return host;
    }

    public IPEndPoint Diameter => _endpoints.DiameterEndPoint ?? throw new InvalidOperationException("no Diameter listener");

    public Uri Http => new($"http://{_endpoints.HttpEndPoint}/");

    /// <summary>The SBI listener (N5g-eir over HTTP/2) of a node.</summary>
    public IPEndPoint Sbi => _endpoints.SbiEndPoint ?? throw new InvalidOperationException("no SBI listener");

    public IServiceProvider Services => _app.Services;

    /// <summary>Stops the host with the caller's token (a cancelled one: the shutdown timeout already passed).</summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        _stopped = true;
        return _app.StopAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopped)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await _app.StopAsync(timeout.Token);
        }
        await _app.DisposeAsync();
    }

    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Polls <paramref name="probe"/> until it returns true (at most <paramref name="seconds"/>).</summary>
    public static Task<bool> EventuallyAsync(Func<Task<bool>> probe, double seconds = 15) =>
        Eventually.TryUntilAsync(probe, TimeSpan.FromSeconds(seconds));

    /// <summary>GET /v1/imei/{imei} on this node: the check before purchase.</summary>
    public async Task<JsonElement> LookupAsync(HttpClient http, string imei)
    {
        using HttpResponseMessage response = await http.GetAsync(new Uri(Http, $"v1/imei/{imei}"));
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
