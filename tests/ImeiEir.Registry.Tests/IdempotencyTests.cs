using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace ImeiEir.Registry.Tests;

/// <summary>
/// A push with an <c>Idempotency-Key</c> is safe to retry (issue 21, section 6): a retry gets the original outcome
/// and writes nothing, across a lost connection and a restart. Real Kestrel on 127.0.0.1, a port chosen at run time.
/// </summary>
public class IdempotencyTests
{
    private TempDirectory _dir = null!;
    private RegistryService _registry = null!;
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    [SetUp]
    public async Task SetUp()
    {
        _dir = new TempDirectory();
        await StartAsync();
    }

    [TearDown]
    public async Task TearDown()
    {
        await StopAsync();
        _dir.Dispose();
    }

    private async Task StartAsync(TimeProvider? time = null)
    {
        _registry = await TestData.OpenAsync(_dir.Path, time: time);
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(_registry);
        builder.Services.AddSingleton(_registry.Options);
        _app = builder.Build();
        _app.MapRegistryApi();
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_app.Urls.Single()), Timeout = TimeSpan.FromSeconds(20) };
    }

    private async Task StopAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _registry.DisposeAsync();
    }

    private static HttpRequestMessage Push(string csv, string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "v1/deltas") { Content = new StringContent(csv, Encoding.UTF8, "text/csv") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestData.AdminToken);
        if (key is not null) request.Headers.Add("Idempotency-Key", key);
        return request;
    }

    private static string White(long serial) => $"imei,list,reason\n{TestData.Text(serial)},white,verified\n";

    private static string Black(long serial) => $"imei,list,reason\n{TestData.Text(serial)},black,stolen\n";

    private async Task<string> PushOkAsync(HttpClient http, string csv, string? key)
    {
        using HttpResponseMessage response = await http.SendAsync(Push(csv, key));
        string body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        return body;
    }

    private static int Applied(string report) => JsonDocument.Parse(report).RootElement.GetProperty("applied").GetInt32();

    private async Task<string> ListOfAsync(long serial)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"v1/imei/{TestData.Text(serial)}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestData.AdminToken);
        using HttpResponseMessage response = await _http.SendAsync(request);
        string body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        return JsonDocument.Parse(body).RootElement.GetProperty("list").GetString()!;
    }

    [Test]
    public async Task A_retried_push_returns_its_original_outcome_and_writes_nothing()
    {
        string first = await PushOkAsync(_http, White(1), "key-1");
        // Another push changes the same IMEI: a retry that applied again would turn it back to white.
        await PushOkAsync(_http, Black(1), "key-2");
        ulong before = _registry.LastSequence;

        using HttpResponseMessage response = await _http.SendAsync(Push(White(1), "key-1"));
        string retry = await response.Content.ReadAsStringAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), retry);
        Assert.That(retry, Is.EqualTo(first), "the original report, applied 1 at sequence 1");
        Assert.That(response.Headers.Contains("Idempotency-Replayed"), Is.True);
        Assert.That(_registry.LastSequence, Is.EqualTo(before), "nothing written");
        Assert.That(await ListOfAsync(1), Is.EqualTo("black"));
    }

    [Test]
    public async Task A_key_reused_with_another_body_is_refused_with_422()
    {
        await PushOkAsync(_http, White(1), "key-1");
        ulong before = _registry.LastSequence;

        using HttpResponseMessage response = await _http.SendAsync(Push(White(2), "key-1"));
        string body = await response.Content.ReadAsStringAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity), body);
        Assert.That(JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString(), Does.Contain("key-1").And.Contain("different delta"));
        Assert.That(_registry.LastSequence, Is.EqualTo(before));
    }

    [Test]
    public async Task A_bad_key_is_refused_with_400()
    {
        using HttpResponseMessage response = await _http.SendAsync(Push(White(1), new string('k', 201)));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), await response.Content.ReadAsStringAsync());
        Assert.That(_registry.LastSequence, Is.Zero);
    }

    [Test]
    public async Task A_push_whose_answer_was_lost_after_the_commit_is_retried_without_a_second_write()
    {
        await using var proxy = new DroppingProxy(new Uri(_app.Urls.Single()).Port, dropFirst: 1);
        using var viaProxy = new HttpClient { BaseAddress = proxy.Url, Timeout = TimeSpan.FromSeconds(20) };

        Assert.ThrowsAsync<HttpRequestException>(async () => await viaProxy.SendAsync(Push(White(1), "lost-1")));
        Assert.That(proxy.Dropped, Is.EqualTo(1));
        Assert.That(_registry.LastSequence, Is.EqualTo(1UL), "the registry committed the push whose answer was lost");
        await PushOkAsync(_http, Black(1), null);

        string retry = await PushOkAsync(viaProxy, White(1), "lost-1");

        Assert.That(Applied(retry), Is.EqualTo(1), retry);
        Assert.That(JsonDocument.Parse(retry).RootElement.GetProperty("lastSequence").GetUInt64(), Is.EqualTo(1UL), retry);
        Assert.That(_registry.LastSequence, Is.EqualTo(2UL), "no second write");
        Assert.That(await ListOfAsync(1), Is.EqualTo("black"));
    }

    [Test]
    public async Task A_push_key_survives_a_restart()
    {
        string first = await PushOkAsync(_http, White(1), "key-1");
        await PushOkAsync(_http, Black(1), null);
        await StopAsync();
        await StartAsync();

        string retry = await PushOkAsync(_http, White(1), "key-1");

        Assert.That(retry, Is.EqualTo(first));
        Assert.That(_registry.LastSequence, Is.EqualTo(2UL));
    }

    [Test]
    public async Task A_push_key_is_forgotten_after_24_hours()
    {
        await StopAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await StartAsync(time);
        await PushOkAsync(_http, White(1), "key-1");
        await PushOkAsync(_http, Black(1), null);
        time.Advance(PushJournal.Retention + TimeSpan.FromMinutes(1));

        string retry = await PushOkAsync(_http, White(1), "key-1");

        Assert.That(Applied(retry), Is.EqualTo(1), "applied as a new push");
        Assert.That(_registry.LastSequence, Is.EqualTo(3UL));
    }

    [Test]
    public void The_journal_keeps_at_most_its_bound_of_keys_and_drops_a_torn_last_line()
    {
        Directory.CreateDirectory(_dir.Path + "/j");
        using (PushJournal journal = PushJournal.Open(_dir.Path + "/j", TimeProvider.System))
        {
            for (int i = 0; i < PushJournal.MaxKeys + 10; i++) journal.Record($"k{i}", "h", Encoding.UTF8.GetBytes("{}"));
        }
        File.AppendAllText(Path.Combine(_dir.Path, "j", PushJournal.FileName), "{\"key\":\"torn");

        using PushJournal reopened = PushJournal.Open(_dir.Path + "/j", TimeProvider.System);

        Assert.That(reopened.Find("k0"), Is.Null, "the oldest keys went first");
        Assert.That(reopened.Find($"k{PushJournal.MaxKeys + 9}")?.Report, Is.EqualTo("{}"));
        Assert.That(File.ReadLines(Path.Combine(_dir.Path, "j", PushJournal.FileName)).Count(), Is.EqualTo(PushJournal.MaxKeys));
    }
}
