using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using ImeiEir.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Registry.Tests;

/// <summary><c>POST /v1/sightings</c> through a real Kestrel on 127.0.0.1 (a free port) and HttpClient.</summary>
public class SightingsHttpTests
{
    private Lifecycle _life = null!;
    private WebApplication _app = null!;
    private HttpClient _http = null!;
    private readonly List<SightingReport> _recorded = [];

    private static DateTimeOffset Day0 => Lifecycle.Day0;

    [SetUp]
    public async Task SetUp()
    {
        _recorded.Clear();   // one fixture instance serves every test
        _life = await Lifecycle.OpenAsync();
        _life.Intake.Recorded += report =>
        {
            lock (_recorded) _recorded.Add(report);
        };
        (_app, _http) = await HostAsync(_life.Registry, _life.Intake);
    }

    [TearDown]
    public async Task TearDown()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _life.DisposeAsync();
    }

    private static async Task<(WebApplication, HttpClient)> HostAsync(RegistryService registry, SightingIntake? intake)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(registry);
        builder.Services.AddSingleton(registry.Options);
        if (intake is not null) builder.Services.AddSingleton(intake);
        WebApplication app = builder.Build();
        app.MapRegistryApi();
        await app.StartAsync();
        var http = new HttpClient { BaseAddress = new Uri(app.Urls.Single()), Timeout = TimeSpan.FromSeconds(20) };
        return (app, http);
    }

    private static byte[] Body(params Sighting[] sightings)
    {
        byte[] body = new byte[sightings.Length * SightingCodec.Size];
        for (int i = 0; i < sightings.Length; i++) SightingCodec.Write(sightings[i], body.AsSpan(i * SightingCodec.Size));
        return body;
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient http, byte[] body, string? token = TestData.ReaderToken,
        string? contentType = SightingCodec.ContentType, string? node = "node-7")
    {
        var content = new ByteArrayContent(body);
        if (contentType is not null) content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/sightings") { Content = content };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (node is not null) request.Headers.Add("X-ImeiEir-Node", node);
        return http.SendAsync(request);
    }

    private static async Task<JsonElement> OkAsync(HttpResponseMessage response)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        return JsonDocument.Parse(body).RootElement;
    }

    private static (int, int, int, int) Counts(JsonElement answer) =>
        (answer.GetProperty("received").GetInt32(), answer.GetProperty("created").GetInt32(),
         answer.GetProperty("existing").GetInt32(), answer.GetProperty("ignored").GetInt32());

    private static async Task<string> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(status), body);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        JsonElement problem = JsonDocument.Parse(body).RootElement;
        Assert.That(problem.GetProperty("status").GetInt32(), Is.EqualTo((int)status));
        Assert.That(body, Does.Not.Contain(TestData.AdminToken).And.Not.Contain(TestData.ReaderToken));
        return problem.GetProperty("detail").GetString()!;
    }

    private void AssertNothingRecorded()
    {
        Assert.That(_life.Registry.LastSequence, Is.Zero);
        lock (_recorded) Assert.That(_recorded, Is.Empty, "the intake was not called");
    }

    [Test]
    public async Task A_batch_is_recorded_and_answered_with_its_counts()
    {
        await TestData.PushCsvAsync(_life.Registry, $"imei,list,reason\n{TestData.Text(3)},white,verified\n");
        byte[] body = Body(
            Lifecycle.Sighting(1, Day0.AddMinutes(-5)),
            Lifecycle.Sighting(2, Day0.AddMinutes(-4), imsi: "00101000000001"),
            Lifecycle.Sighting(3, Day0.AddMinutes(-3)),                                          // white already
            Lifecycle.Sighting(4, new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero)),       // before the regime
            Lifecycle.Sighting(1, Day0.AddMinutes(-2), kind: SightingKind.GreyAttach));

        JsonElement answer = await OkAsync(await PostAsync(_http, body));

        Assert.That(Counts(answer), Is.EqualTo((5, 2, 1, 1)));
        Assert.That(_life.Record(1), Is.EqualTo(new ImeiRecord(ListKind.Grey, Reason.Unverified, Lifecycle.DeadlineOf(Day0.AddMinutes(-5)), 2)));
        Assert.That(_life.Record(2), Is.EqualTo(new ImeiRecord(ListKind.Grey, Reason.Unverified, Lifecycle.DeadlineOf(Day0.AddMinutes(-4)), 3)));
        Assert.That(_life.Registry.TryGetAny(TestData.Imei(4), out _), Is.False);
        Assert.That(_life.Registry.LastSequence, Is.EqualTo(3UL));

        SightingReport report;
        lock (_recorded) report = _recorded.Single();
        Assert.That(report.Node, Is.EqualTo("node-7"), "the node is named by X-ImeiEir-Node");
        Assert.That(report.Sightings.Select(s => s.Sighting.Imsi.ToString()), Does.Contain("00101000000001"), "IMSI leading zeros survive the wire");
    }

    [Test]
    public async Task An_empty_body_is_a_batch_of_none()
    {
        Assert.That(Counts(await OkAsync(await PostAsync(_http, []))), Is.EqualTo((0, 0, 0, 0)));
        Assert.That(_life.Registry.LastSequence, Is.Zero);
    }

    [Test]
    public async Task The_node_is_named_by_its_header_or_unnamed()
    {
        await OkAsync(await PostAsync(_http, [], node: "mme-eir-2.example"));
        await OkAsync(await PostAsync(_http, [], node: null));
        await OkAsync(await PostAsync(_http, [], node: new string('n', 256)));
        lock (_recorded)
            Assert.That(_recorded.Select(r => r.Node), Is.EqualTo(new[] { "mme-eir-2.example", "unnamed node", "unnamed node" }));
    }

    [Test]
    public async Task Without_a_token_or_with_a_wrong_one_401_and_nothing_recorded_the_admin_token_is_accepted_too()
    {
        byte[] body = Body(Lifecycle.Sighting(1, Day0));
        foreach (string? token in new[] { null, "wrong-token-0123456789", TestData.ReaderToken + "x", "" })
        {
            HttpResponseMessage response = await PostAsync(_http, body, token);
            await ProblemAsync(response, HttpStatusCode.Unauthorized);
            Assert.That(response.Headers.WwwAuthenticate.ToString(), Is.EqualTo("Bearer"));
        }
        AssertNothingRecorded();

        Assert.That(Counts(await OkAsync(await PostAsync(_http, body, TestData.AdminToken))), Is.EqualTo((1, 1, 0, 0)));
        Assert.That(Counts(await OkAsync(await PostAsync(_http, Body(Lifecycle.Sighting(2, Day0)), TestData.ReaderToken))), Is.EqualTo((1, 1, 0, 0)));
        Assert.That(_life.Registry.LastSequence, Is.EqualTo(2UL));
    }

    [TestCase("application/octet-stream")]
    [TestCase("text/csv")]
    [TestCase("application/json")]
    [TestCase(null)]
    public async Task Another_content_type_is_415_and_nothing_recorded(string? contentType)
    {
        string detail = await ProblemAsync(await PostAsync(_http, Body(Lifecycle.Sighting(1, Day0)), contentType: contentType), HttpStatusCode.UnsupportedMediaType);
        Assert.That(detail, Does.Contain(SightingCodec.ContentType));
        AssertNothingRecorded();
    }

    [TestCase(1)]
    [TestCase(23)]
    [TestCase(25)]
    [TestCase(47)]
    [TestCase(24 * 3 + 5)]
    public async Task A_body_that_is_not_whole_sightings_is_400_and_nothing_recorded(int length)
    {
        // Valid sightings as far as they go, then a partial one.
        byte[] whole = Body(Enumerable.Range(1, length / SightingCodec.Size + 1).Select(i => Lifecycle.Sighting(i, Day0)).ToArray());
        string detail = await ProblemAsync(await PostAsync(_http, whole[..length]), HttpStatusCode.BadRequest);
        Assert.That(detail, Does.Contain($"the body is {length} bytes, not a multiple of 24").And.Contain("nothing was recorded"));
        AssertNothingRecorded();
    }

    [Test]
    public async Task A_malformed_sighting_is_400_naming_it_and_nothing_of_the_batch_is_recorded()
    {
        byte[] body = Body(Lifecycle.Sighting(1, Day0), Lifecycle.Sighting(2, Day0), Lifecycle.Sighting(3, Day0));
        body[2 * SightingCodec.Size + 21] = 9;   // the third one's kind

        string detail = await ProblemAsync(await PostAsync(_http, body), HttpStatusCode.BadRequest);
        Assert.That(detail, Does.Contain("sighting 3 (byte 48): kind 9 is unknown").And.Contain("nothing was recorded"));
        AssertNothingRecorded();

        byte[] badImei = Body(Lifecycle.Sighting(1, Day0));
        BitConverter.TryWriteBytes(badImei.AsSpan(0, 8), Imei.KeyLimit);
        Assert.That(await ProblemAsync(await PostAsync(_http, badImei), HttpStatusCode.BadRequest), Does.Contain("sighting 1 (byte 0): IMEI key 100000000000000 is not 14 digits"));
        AssertNothingRecorded();
    }

    [Test]
    public async Task Exactly_the_most_sightings_a_request_may_carry_are_taken()
    {
        // 100,000 first sightings of one IMEI (2.4 MB): one grey record; the earliest sets the deadline.
        var sightings = new Sighting[RegistryEndpoints.MaxSightingsPerRequest];
        for (int i = 0; i < sightings.Length; i++) sightings[i] = Lifecycle.Sighting(1, Day0.AddSeconds(-i));
        JsonElement answer = await OkAsync(await PostAsync(_http, Body(sightings)));
        Assert.That(Counts(answer), Is.EqualTo((100_000, 1, 99_999, 0)));
        Assert.That(_life.Record(1).DeadlineUnixSeconds, Is.EqualTo(Lifecycle.DeadlineOf(Day0.AddSeconds(-99_999))));
    }

    [Test]
    public async Task A_Content_Length_over_the_most_sightings_is_413_before_the_body_is_sent()
    {
        long length = (RegistryEndpoints.MaxSightingsPerRequest + 1L) * SightingCodec.Size;
        var uri = new Uri(_app.Urls.Single());

        // Raw HTTP: the headers announce 2,400,024 bytes and none follow; the answer must not wait for them.
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, uri.Port);
        await using NetworkStream stream = client.GetStream();
        string head = "POST /v1/sightings HTTP/1.1\r\n" + $"Host: 127.0.0.1:{uri.Port}\r\n" +
                      $"Authorization: Bearer {TestData.ReaderToken}\r\n" + $"Content-Type: {SightingCodec.ContentType}\r\n" +
                      $"Content-Length: {length}\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var answer = new StringBuilder();
        byte[] buffer = new byte[4096];
        while (!answer.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            int read = await stream.ReadAsync(buffer, timeout.Token);
            if (read == 0) break;
            answer.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
        Assert.That(answer.ToString(), Does.StartWith("HTTP/1.1 413 "));
        Assert.That(answer.ToString(), Does.Contain("application/problem+json"));
        AssertNothingRecorded();
    }

    [Test]
    public async Task Without_a_SightingIntake_the_registry_answers_503_after_checking_the_token()
    {
        (WebApplication app, HttpClient http) = await HostAsync(_life.Registry, intake: null);
        try
        {
            byte[] body = Body(Lifecycle.Sighting(1, Day0));
            await ProblemAsync(await PostAsync(http, body, token: null), HttpStatusCode.Unauthorized);
            string detail = await ProblemAsync(await PostAsync(http, body), HttpStatusCode.ServiceUnavailable);
            Assert.That(detail, Does.Contain("does not take sightings"));
            AssertNothingRecorded();
        }
        finally
        {
            http.Dispose();
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
