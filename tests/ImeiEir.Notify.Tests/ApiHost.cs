using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Notify.Tests;

/// <summary>
/// <see cref="NotifyEndpoints.MapNotifyApi"/> on a real Kestrel at 127.0.0.1 and a free port, as the registry's admin
/// app will host it; admin access is a bearer-token check, as the registry's.
/// </summary>
internal sealed class ApiHost : IAsyncDisposable
{
    public const string AdminToken = "admin-token-0123456789abcdef";

    /// <summary>Reads but does not change, when the host was started with readers.</summary>
    public const string ReaderToken = "reader-token-0123456789abcdef";

    private readonly WebApplication _app;

    private ApiHost(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    /// <summary>Base URL, e.g. http://127.0.0.1:41234/.</summary>
    public Uri Url { get; }

    /// <summary>Where Kannel should report deliveries (Notify:DlrUrl).</summary>
    public string DlrUrl => new Uri(Url, "v1/notices/dlr").ToString();

    /// <summary>Starts the API over <paramref name="notifier"/>; with <paramref name="readers"/>, <see cref="ReaderToken"/> may read.</summary>
    public static async Task<ApiHost> StartAsync(Notifier notifier, bool readers = false)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        WebApplication app = builder.Build();
        if (readers) app.MapNotifyApi(notifier, IsAdmin, c => IsAdmin(c) || c.Request.Headers.Authorization == "Bearer " + ReaderToken);
        else app.MapNotifyApi(notifier, IsAdmin);
        await app.StartAsync();
        return new ApiHost(app, new Uri(app.Urls.Single().TrimEnd('/') + "/"));
    }

    public static bool IsAdmin(HttpContext context) => context.Request.Headers.Authorization == "Bearer " + AdminToken;

    public HttpClient Client(bool withToken = true) => Client(withToken ? AdminToken : null);

    /// <summary>A client sending <paramref name="token"/> (none when null).</summary>
    public HttpClient Client(string? token)
    {
        var http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(20) };
        if (token is not null) http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
