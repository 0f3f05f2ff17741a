using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Registry.Tests;

/// <summary>
/// The registry's HTTP API on a real Kestrel on 127.0.0.1 (a port chosen at run time) over a registry a test opened,
/// with an <see cref="HttpClient"/> to it. The client does not drain an abandoned (endless) feed response: it closes
/// the connection at once, as a node that goes.
/// </summary>
internal sealed class RegistryApiHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RegistryApiHost(WebApplication app, HttpClient http)
    {
        _app = app;
        Http = http;
    }

    public HttpClient Http { get; }

    /// <summary>Starts the API over <paramref name="registry"/>; <paramref name="services"/> are further singletons the endpoints use (the sighting intake, the clone watch).</summary>
    public static async Task<RegistryApiHost> StartAsync(RegistryService registry, params object[] services)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(registry);
        builder.Services.AddSingleton(registry.Options);
        foreach (object service in services) builder.Services.AddSingleton(service.GetType(), service);
        WebApplication app = builder.Build();
        app.MapRegistryApi();
        await app.StartAsync();
        var http = new HttpClient(new SocketsHttpHandler { MaxResponseDrainSize = 0 })
        {
            BaseAddress = new Uri(app.Urls.Single()),
            Timeout = TimeSpan.FromSeconds(20),
        };
        return new RegistryApiHost(app, http);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
