using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ImeiEir.Core;

namespace ImeiEir.Registry.Tests;

/// <summary>The registry API through a real Kestrel on 127.0.0.1, a free port, and HttpClient.</summary>
public class HttpTests
{
    private TempDirectory _dir = null!;
    private RegistryService _registry = null!;
    private RegistryApiHost _host = null!;
    private HttpClient _http = null!;

    [SetUp]
    public async Task SetUp()
    {
        _dir = new TempDirectory();
        _registry = await TestData.OpenAsync(_dir.Path, TestData.Options(o => o.MaxDeltaBytes = 64 * 1024));
        _host = await RegistryApiHost.StartAsync(_registry);
        _http = _host.Http;
    }

    [TearDown]
    public async Task TearDown()
    {
        await _host.DisposeAsync();
        await _registry.DisposeAsync();
        _dir.Dispose();
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, string? token, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    private static StringContent Csv(string text) => new(text, Encoding.UTF8, "text/csv");

    private Task<HttpResponseMessage> PushAsync(string csv, string? token = TestData.AdminToken, string query = "") =>
        _http.SendAsync(Request(HttpMethod.Post, "/v1/deltas" + query, token, Csv(csv)));

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(status), body);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        JsonElement problem = JsonDocument.Parse(body).RootElement;
        Assert.That(problem.GetProperty("status").GetInt32(), Is.EqualTo((int)status));
        Assert.That(problem.GetProperty("detail").GetString(), Is.Not.Empty);
        Assert.That(body, Does.Not.Contain(TestData.AdminToken).And.Not.Contain(TestData.ReaderToken));
        return problem;
    }

    [Test]
    public async Task Push_returns_the_report()
    {
        HttpResponseMessage response = await PushAsync($"imei,list,reason\n{TestData.Text(1)},white,verified\n{TestData.Text(2)},black,stolen\n");
        string body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        JsonElement report = JsonDocument.Parse(body).RootElement;
        Assert.That(report.GetProperty("applied").GetInt32(), Is.EqualTo(2));
        Assert.That(report.GetProperty("lastSequence").GetUInt64(), Is.EqualTo(2UL));
        JsonElement[] lines = report.GetProperty("lines").EnumerateArray().ToArray();
        Assert.That(lines[1].GetProperty("line").GetInt32(), Is.EqualTo(3));
        Assert.That(lines[1].GetProperty("outcome").GetString(), Is.EqualTo("applied"));
        Assert.That(lines[1].GetProperty("imei").GetString(), Is.EqualTo(TestData.Text(2)));
        Assert.That(lines[1].GetProperty("sequence").GetUInt64(), Is.EqualTo(2UL));
    }

    [Test]
    public async Task Push_ndjson_partial()
    {
        var content = new StringContent($"{{\"imei\":\"{TestData.Text(1)}\",\"list\":\"white\",\"reason\":\"verified\"}}\n{{\"imei\":\"1\"}}\n", Encoding.UTF8, "application/x-ndjson");
        HttpResponseMessage response = await _http.SendAsync(Request(HttpMethod.Post, "/v1/deltas?partial=true", TestData.AdminToken, content));
        string body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        JsonElement report = JsonDocument.Parse(body).RootElement;
        Assert.That((report.GetProperty("applied").GetInt32(), report.GetProperty("rejected").GetInt32()), Is.EqualTo((1, 1)));
        Assert.That(report.GetProperty("lines")[1].GetProperty("reason").GetString(), Does.Contain("'1' is not an IMEI"));
    }

    [Test]
    public async Task Without_token_or_with_a_wrong_one_401_and_nothing_written()
    {
        string csv = $"imei,list,reason\n{TestData.Text(1)},white,verified\n";
        foreach (string? token in new[] { null, "wrong-token-0123456789", TestData.ReaderToken })
        {
            HttpResponseMessage response = await PushAsync(csv, token);
            await ProblemAsync(response, HttpStatusCode.Unauthorized);
            Assert.That(response.Headers.WwwAuthenticate.ToString(), Is.EqualTo("Bearer"));
        }
        Assert.That(_registry.LastSequence, Is.EqualTo(0UL));
        await ProblemAsync(await _http.GetAsync("/v1/feed"), HttpStatusCode.Unauthorized);
        await ProblemAsync(await _http.GetAsync("/v1/snapshot"), HttpStatusCode.Unauthorized);
        await ProblemAsync(await _http.GetAsync($"/v1/imei/{TestData.Text(1)}"), HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task Atomic_batch_with_bad_lines_is_422_listing_them()
    {
        HttpResponseMessage response = await PushAsync($"imei,list,reason\n{TestData.Text(1)},white,verified\n{TestData.Text(2)},pink,verified\n12,white,verified\n");
        JsonElement problem = await ProblemAsync(response, HttpStatusCode.UnprocessableEntity);
        JsonElement[] errors = problem.GetProperty("errors").EnumerateArray().ToArray();
        Assert.That(errors.Select(e => e.GetProperty("line").GetInt32()), Is.EqualTo(new[] { 3, 4 }));
        Assert.That(errors[0].GetProperty("reason").GetString(), Does.Contain("'pink' is not a list"));
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("2 of 3 lines are bad"));
        Assert.That(_registry.LastSequence, Is.EqualTo(0UL));
    }

    [Test]
    public async Task Oversized_body_is_413()
    {
        var text = new StringBuilder("imei,list,reason\n");
        for (int i = 0; text.Length < 70 * 1024; i++) text.Append(TestData.Text(i)).Append(",white,verified\n");
        await ProblemAsync(await PushAsync(text.ToString()), HttpStatusCode.RequestEntityTooLarge);

        // Without Content-Length (chunked): cut while streaming.
        var chunked = new StreamContent(new NonSeekableStream(Encoding.UTF8.GetBytes(text.ToString())));
        chunked.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        await ProblemAsync(await _http.SendAsync(Request(HttpMethod.Post, "/v1/deltas", TestData.AdminToken, chunked)), HttpStatusCode.RequestEntityTooLarge);
        Assert.That(_registry.LastSequence, Is.EqualTo(0UL));
    }

    [Test]
    public async Task Wrong_content_type_is_415()
    {
        var content = new StringContent("{}", Encoding.UTF8, "application/json");
        await ProblemAsync(await _http.SendAsync(Request(HttpMethod.Post, "/v1/deltas", TestData.AdminToken, content)), HttpStatusCode.UnsupportedMediaType);
    }

    [Test]
    public async Task Empty_and_binary_bodies_are_400()
    {
        JsonElement empty = await ProblemAsync(await PushAsync(""), HttpStatusCode.BadRequest);
        Assert.That(empty.GetProperty("detail").GetString(), Does.Contain("empty"));
        var binary = new ByteArrayContent([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]);
        binary.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        JsonElement problem = await ProblemAsync(await _http.SendAsync(Request(HttpMethod.Post, "/v1/deltas", TestData.AdminToken, binary)), HttpStatusCode.BadRequest);
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("not text"));
    }

    [Test]
    public async Task Imei_record_with_history_and_404_and_400()
    {
        await PushAsync($"imei,list,reason,deadline\n{TestData.Text(1)},grey,unverified,2030-12-31\n");
        await PushAsync($"imei,list,reason\n{TestData.Text(1)},black,stolen\n");
        HttpResponseMessage response = await _http.SendAsync(Request(HttpMethod.Get, $"/v1/imei/{TestData.Imei(1).ToString14()}", TestData.ReaderToken));
        string body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        JsonElement record = JsonDocument.Parse(body).RootElement;
        Assert.That(record.GetProperty("imei").GetString(), Is.EqualTo(TestData.Text(1)));
        Assert.That(record.GetProperty("list").GetString(), Is.EqualTo("black"));
        Assert.That(record.GetProperty("sequence").GetUInt64(), Is.EqualTo(2UL));
        JsonElement[] history = record.GetProperty("history").EnumerateArray().ToArray();
        Assert.That(history.Select(h => h.GetProperty("sequence").GetUInt64()), Is.EqualTo(new[] { 1UL, 2UL }));
        Assert.That(history[0].GetProperty("deadline").GetString(), Is.EqualTo("2030-12-31T00:00:00+05:00"));
        Assert.That(history[0].GetProperty("origin").GetString(), Is.EqualTo("admin"));
        Assert.That(history[1].GetProperty("op").GetString(), Is.EqualTo("set"));

        await ProblemAsync(await _http.SendAsync(Request(HttpMethod.Get, $"/v1/imei/{TestData.Text(5)}", TestData.ReaderToken)), HttpStatusCode.NotFound);
        await ProblemAsync(await _http.SendAsync(Request(HttpMethod.Get, "/v1/imei/12AB", TestData.ReaderToken)), HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task Feed_delivers_a_pushed_change_within_a_bounded_wait()
    {
        await PushAsync($"imei,list,reason\n{TestData.Text(1)},white,verified\n");
        using HttpResponseMessage response = await _http.SendAsync(Request(HttpMethod.Get, "/v1/feed?after=0", TestData.ReaderToken), HttpCompletionOption.ResponseHeadersRead);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo(FeedFormat.ContentType));
        await using Stream stream = await response.Content.ReadAsStreamAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        (byte kind, byte[] frame) = await ReadFrameAsync(stream, timeout.Token);
        Assert.That(kind, Is.EqualTo(FeedFormat.HeartbeatKind), "the first frame is a heartbeat");
        FeedFormat.ReadHeartbeat(frame, out ulong head, out _);
        Assert.That(head, Is.EqualTo(1UL));
        Assert.That(await NextChangeAsync(stream, timeout.Token), Is.EqualTo(1UL));

        // Idle: heartbeats (interval 200 ms in the tests), then a push arrives promptly.
        (kind, _) = await ReadFrameAsync(stream, timeout.Token);
        Assert.That(kind, Is.EqualTo(FeedFormat.HeartbeatKind));
        var pushed = System.Diagnostics.Stopwatch.StartNew();
        await PushAsync($"imei,list,reason\n{TestData.Text(2)},black,stolen\n");
        Assert.That(await NextChangeAsync(stream, timeout.Token), Is.EqualTo(2UL));
        Assert.That(pushed.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
    }

    [Test]
    public async Task Feed_ends_when_the_node_goes()
    {
        HttpResponseMessage response = await _http.SendAsync(Request(HttpMethod.Get, "/v1/feed", TestData.ReaderToken), HttpCompletionOption.ResponseHeadersRead);
        Stream stream = await response.Content.ReadAsStreamAsync();
        await ReadFrameAsync(stream, CancellationToken.None);
        Assert.That(_registry.ActiveFeeds, Is.EqualTo(1));
        response.Dispose();
        var waited = System.Diagnostics.Stopwatch.StartNew();
        await Eventually.UntilAsync(() => _registry.ActiveFeeds == 0, TimeSpan.FromSeconds(10), "the feed to end");
        Assert.That(waited.Elapsed, Is.LessThan(TimeSpan.FromSeconds(2)), "ended by the disconnect, within a heartbeat or two");
    }

    [Test]
    public async Task Feed_as_ndjson()
    {
        await PushAsync($"op,imei,new_imei\nreplace,{TestData.Text(1)},{TestData.Text(2)}\n");
        HttpRequestMessage request = Request(HttpMethod.Get, "/v1/feed?after=0", TestData.ReaderToken);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/x-ndjson"));
        using HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/x-ndjson"));
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        JsonElement first = JsonDocument.Parse((await reader.ReadLineAsync(timeout.Token))!).RootElement;
        Assert.That(first.GetProperty("type").GetString(), Is.EqualTo("heartbeat"));
        Assert.That(first.GetProperty("head").GetUInt64(), Is.EqualTo(2UL));
        JsonElement change = JsonDocument.Parse((await reader.ReadLineAsync(timeout.Token))!).RootElement;
        Assert.That(change.GetProperty("type").GetString(), Is.EqualTo("change"));
        Assert.That(change.GetProperty("sequence").GetUInt64(), Is.EqualTo(1UL));
        Assert.That(change.GetProperty("imei").GetString(), Is.EqualTo(TestData.Text(1)));
        Assert.That(change.GetProperty("list").GetString(), Is.EqualTo("black"));
        Assert.That(change.GetProperty("relatedImei").GetString(), Is.EqualTo(TestData.Text(2)));
    }

    [Test]
    public async Task Snapshot_and_feed_answers_name_the_registry_s_generation_the_409_too()
    {
        await PushAsync($"imei,list,reason\n{TestData.Text(1)},white,verified\n");
        string expected = _registry.Generation.ToString();
        using HttpResponseMessage snapshot = await _http.SendAsync(Request(HttpMethod.Get, "/v1/snapshot", TestData.ReaderToken));
        using HttpResponseMessage feed = await _http.SendAsync(Request(HttpMethod.Get, "/v1/feed?after=0", TestData.ReaderToken), HttpCompletionOption.ResponseHeadersRead);
        using HttpResponseMessage ahead = await _http.SendAsync(Request(HttpMethod.Get, "/v1/feed?after=9", TestData.ReaderToken));
        Assert.Multiple(() =>
        {
            Assert.That(snapshot.Headers.GetValues(FeedFormat.GenerationHeader), Is.EqualTo(new[] { expected }));
            Assert.That(feed.Headers.GetValues(FeedFormat.GenerationHeader), Is.EqualTo(new[] { expected }));
            Assert.That(ahead.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
            Assert.That(ahead.Headers.GetValues(FeedFormat.GenerationHeader), Is.EqualTo(new[] { expected }));
        });
    }

    [Test]
    public async Task Status_gives_sequence_generation_records_and_the_digest_of_the_live_records()
    {
        await PushAsync($"imei,list,reason\n{TestData.Text(1)},white,verified\n{TestData.Text(2)},black,stolen\n{TestData.Text(3)},white,verified\n");
        await PushAsync($"op,imei\nremove,{TestData.Text(3)}\n");
        await ProblemAsync(await _http.SendAsync(Request(HttpMethod.Get, "/v1/status", null)), HttpStatusCode.Unauthorized);

        using HttpResponseMessage response = await _http.SendAsync(Request(HttpMethod.Get, "/v1/status", TestData.ReaderToken));
        string body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        JsonElement status = JsonDocument.Parse(body).RootElement;
        // The digest of the same records as a node computes it: over the two live ones, the removal left out.
        _registry.TryGet(TestData.Imei(1), out ImeiRecord first);
        _registry.TryGet(TestData.Imei(2), out ImeiRecord second);
        Store.StateDigest expected = Store.StateDigest.Compute([(TestData.Imei(1), first), (TestData.Imei(2), second)]);
        Assert.Multiple(() =>
        {
            Assert.That(status.GetProperty("sequence").GetUInt64(), Is.EqualTo(4UL));
            Assert.That(status.GetProperty("generation").GetString(), Is.EqualTo(_registry.Generation.ToString()));
            Assert.That(status.GetProperty("records").GetInt64(), Is.EqualTo(2));
            Assert.That(status.GetProperty("digest").GetString(), Is.EqualTo(expected.ToString()));
            Assert.That(status.GetProperty("consistent").GetBoolean(), Is.True);
        });
    }

    [Test]
    public async Task Feed_ahead_of_the_registry_is_409()
    {
        await PushAsync($"imei,list,reason\n{TestData.Text(1)},white,verified\n");
        JsonElement problem = await ProblemAsync(await _http.SendAsync(Request(HttpMethod.Get, "/v1/feed?after=7", TestData.ReaderToken)), HttpStatusCode.Conflict);
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("last change is 1"));
        await ProblemAsync(await _http.SendAsync(Request(HttpMethod.Get, "/v1/feed?after=x", TestData.ReaderToken)), HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task Snapshot_over_http()
    {
        await PushAsync($"imei,list,reason\n{TestData.Text(1)},white,verified\n{TestData.Text(2)},black,stolen\n");
        HttpResponseMessage response = await _http.SendAsync(Request(HttpMethod.Get, "/v1/snapshot", TestData.ReaderToken));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo(SnapshotFormat.ContentType));
        byte[] bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.That(bytes, Has.Length.EqualTo(SnapshotFormat.HeaderSize + 2 * SnapshotFormat.RecordSize + SnapshotFormat.TrailerSize));
        Assert.That(SnapshotFormat.TryReadHeader(bytes, out ulong sequence, out _) && sequence == 2);
    }

    private static async Task<ulong> NextChangeAsync(Stream stream, CancellationToken ct)
    {
        while (true)
        {
            (byte kind, byte[] frame) = await ReadFrameAsync(stream, ct);
            if (kind != FeedFormat.ChangeKind) continue;
            Assert.That(ChangeCodec.TryRead(frame.AsSpan(1), out Change change), Is.True);
            return change.Sequence;
        }
    }

    private static async Task<(byte Kind, byte[] Frame)> ReadFrameAsync(Stream stream, CancellationToken ct)
    {
        byte[] kind = new byte[1];
        await stream.ReadExactlyAsync(kind, ct);
        int size = FeedFormat.FrameSize(kind[0]);
        Assert.That(size, Is.GreaterThan(0), $"frame kind 0x{kind[0]:X2}");
        byte[] frame = new byte[size];
        frame[0] = kind[0];
        await stream.ReadExactlyAsync(frame.AsMemory(1), ct);
        return (kind[0], frame);
    }

    /// <summary>A stream HttpClient cannot take the length of, so the request goes chunked.</summary>
    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
