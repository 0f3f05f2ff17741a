using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Notify.Tests.Kannel;

/// <summary>
/// Kannel's delivery reports held back for a while, then passed on to a notifier's dlr-url (Kestrel on 127.0.0.1 and
/// a free port): a report that comes after the take-over of the sender lease, as one does from a slow SMSC.
/// </summary>
internal sealed class DelayedDlrRelay : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };

    private DelayedDlrRelay(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    /// <summary>The dlr-url to give Kannel.</summary>
    public string Url { get; }

    /// <summary>Reports passed on so far.</summary>
    public int Relayed => Volatile.Read(ref _relayed);

    private int _relayed;

    public static async Task<DelayedDlrRelay> StartAsync(string target, TimeSpan delay)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        WebApplication app = builder.Build();
        DelayedDlrRelay? relay = null;
        app.MapGet("/dlr", async (HttpContext context) =>
        {
            await Task.Delay(delay);
            using HttpResponseMessage answer = await relay!._http.GetAsync(new Uri(target + context.Request.QueryString.Value));
            Interlocked.Increment(ref relay._relayed);
            context.Response.StatusCode = (int)answer.StatusCode;
        });
        await app.StartAsync();
        relay = new DelayedDlrRelay(app, app.Urls.Single().TrimEnd('/') + "/dlr");
        return relay;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _http.Dispose();
    }
}
