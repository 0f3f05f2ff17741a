using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ImeiEir.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ImeiEir.Registry.Tests;

/// <summary>
/// The registry on a full disk (issue 21, section 6): its data directory on a 64 MiB tmpfs that the test fills.
/// Writes are refused with 503 naming ENOSPC (sightings with Retry-After), lookups answer, and writes resume once
/// space is freed, with no restart. Real Kestrel on 127.0.0.1, a port chosen at run time.
/// </summary>
public class DiskFullTests
{
    private const long MinFree = 4L * 1024 * 1024;

    private TmpfsMount _disk = null!;
    private RegistryService _registry = null!;
    private WebApplication _app = null!;
    private HttpClient _http = null!;
    private RecordingLogger _logger = null!;

    [SetUp]
    public async Task SetUp()
    {
        _logger = new RecordingLogger(); // one fixture instance serves every test
        _disk = TmpfsMount.TryMount(64, out string why)!;
        if (_disk is null) Assert.Ignore(why);
        _registry = await RegistryService.OpenAsync(TestData.Options(o => o.MinFreeBytes = MinFree), Path.Combine(_disk.Path, "registry"),
            TimeProvider.System, _logger, CancellationToken.None);
        var time = new RegimeTime(Lifecycle.Day0);
        var intake = new SightingIntake(_registry, DecisionPolicy.Create(new PolicyOptions { GracePeriod = Lifecycle.Grace }), new RegimeClock(time), NullLogger.Instance);
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(_registry);
        builder.Services.AddSingleton(_registry.Options);
        builder.Services.AddSingleton(intake);
        _app = builder.Build();
        _app.MapRegistryApi();
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_app.Urls.Single()), Timeout = TimeSpan.FromSeconds(20) };
    }

    [TearDown]
    public async Task TearDown()
    {
        if (_disk is null) return;
        _http?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        if (_registry is not null) await _registry.DisposeAsync();
        _disk.Dispose();
    }

    private Task<HttpResponseMessage> PushAsync(long serial, string list)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "v1/deltas")
        {
            Content = new StringContent($"imei,list,reason\n{TestData.Text(serial)},{list},stolen\n", Encoding.UTF8, "text/csv"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestData.AdminToken);
        return _http.SendAsync(request);
    }

    private Task<HttpResponseMessage> SightAsync(long serial)
    {
        byte[] body = new byte[SightingCodec.Size];
        SightingCodec.Write(Lifecycle.Sighting(serial, Lifecycle.Day0), body);
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(SightingCodec.ContentType);
        var request = new HttpRequestMessage(HttpMethod.Post, "v1/sightings") { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestData.ReaderToken);
        request.Headers.Add("X-ImeiEir-Node", "node-7");
        return _http.SendAsync(request);
    }

    private async Task<string> ListOfAsync(long serial)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"v1/imei/{TestData.Text(serial)}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestData.ReaderToken);
        using HttpResponseMessage response = await _http.SendAsync(request);
        string body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        return JsonDocument.Parse(body).RootElement.GetProperty("list").GetString()!;
    }

    private static async Task<string> DetailAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(status), body);
        return JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString()!;
    }

    [Test]
    public async Task A_full_disk_refuses_writes_with_ENOSPC_and_they_resume_once_space_is_freed()
    {
        Assert.That((await PushAsync(1, "black")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        string filler = _disk.Fill();
        ulong before = _registry.LastSequence;

        using HttpResponseMessage push = await PushAsync(2, "black");
        string detail = await DetailAsync(push, HttpStatusCode.ServiceUnavailable);
        Assert.That(detail, Does.Contain("ENOSPC").And.Contain(_disk.Path).And.Not.Contain("Restart"), detail);
        Assert.That(push.Headers.RetryAfter, Is.Not.Null);
        Assert.That(_logger.Lines.Count(l => l.Message.Contains("ENOSPC", StringComparison.Ordinal)), Is.EqualTo(1), string.Join('\n', _logger.Lines.Select(l => l.Message)));

        using HttpResponseMessage sighting = await SightAsync(3);
        Assert.That(await DetailAsync(sighting, HttpStatusCode.ServiceUnavailable), Does.Contain("ENOSPC"));
        Assert.That(sighting.Headers.RetryAfter, Is.Not.Null, "the node's reporter keeps the sightings and retries");
        Assert.That(await ListOfAsync(1), Is.EqualTo("black"), "lookups answer on a full disk");
        Assert.That(_registry.LastSequence, Is.EqualTo(before), "nothing written");

        File.Delete(filler);

        using HttpResponseMessage again = await PushAsync(2, "black");
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.OK), await again.Content.ReadAsStringAsync());
        using HttpResponseMessage sightAgain = await SightAsync(3);
        Assert.That(sightAgain.StatusCode, Is.EqualTo(HttpStatusCode.OK), await sightAgain.Content.ReadAsStringAsync());
        Assert.That(await ListOfAsync(2), Is.EqualTo("black"));
        Assert.That(await ListOfAsync(3), Is.EqualTo("grey"));
    }

    [Test]
    public async Task A_registry_closed_on_a_full_disk_skips_its_checkpoint_and_reopens_with_every_change()
    {
        for (int i = 1; i <= 3; i++) Assert.That((await PushAsync(i, "black")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        string filler = _disk.Fill();
        await _app.StopAsync();
        await _registry.DisposeAsync();
        Assert.That(_logger.Lines.Select(l => l.Message), Has.Some.Contains("checkpoint skipped").And.Some.Contains("ENOSPC"));
        File.Delete(filler);

        _registry = await TestData.OpenAsync(Path.Combine(_disk.Path, "registry"), TestData.Options(o => o.MinFreeBytes = MinFree));

        Assert.That(_registry.LastSequence, Is.EqualTo(3UL));
        Assert.That(_registry.TryGet(TestData.Imei(3), out ImeiRecord record), Is.True);
        Assert.That(record.List, Is.EqualTo(ListKind.Black));
    }
}
