using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using ImeiEir.Core;
using ImeiEir.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ImeiEir.Registry.Tests.Clones;

/// <summary>
/// Pair reports in through <c>POST /v1/sightings</c>, suspected clones out through <c>GET /v1/clones</c>, over a
/// real Kestrel on 127.0.0.1 (a free port).
/// </summary>
public sealed class ClonesHttpTests
{
    private const string Imsi1 = "401011000000001", Imsi2 = "401011000000002", Imsi3 = "401011000000003";

    private Lifecycle _life = null!;
    private TempDirectory _clonesDirectory = null!;
    private CloneWatch _clones = null!;
    private RegistryApiHost _host = null!;
    private HttpClient _http = null!;

    [SetUp]
    public async Task SetUp()
    {
        _life = await Lifecycle.OpenAsync();
        _clonesDirectory = new TempDirectory();
        _clones = CloneWatch.Open(_clonesDirectory.Path, new CloneOptions(), _life.Time, NullLogger.Instance);
        var intake = new SightingIntake(_life.Registry, _life.Policy, _life.Clock, NullLogger.Instance, _clones);
        _host = await RegistryApiHost.StartAsync(_life.Registry, intake, _clones);
        _http = _host.Http;
    }

    [TearDown]
    public async Task TearDown()
    {
        await _host.DisposeAsync();
        _clones.Dispose();
        _clonesDirectory.Dispose();
        await _life.DisposeAsync();
    }

    private async Task ReportAsync(params (long Serial, string Imsi)[] pairs)
    {
        byte[] body = new byte[pairs.Length * SightingCodec.Size];
        for (int i = 0; i < pairs.Length; i++)
        {
            Assert.That(PackedImsi.TryPack(pairs[i].Imsi.AsSpan(), out PackedImsi imsi), Is.True);
            var sighting = new Sighting(TestData.Imei(pairs[i].Serial).Key, imsi, (uint)Lifecycle.Day0.AddMinutes(-i).ToUnixTimeSeconds(), SightingKind.HomeAttach);
            SightingCodec.Write(sighting, body.AsSpan(i * SightingCodec.Size));
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/sightings") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(SightingCodec.ContentType);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestData.ReaderToken);
        using HttpResponseMessage response = await _http.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(string query, string? token = TestData.ReaderToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/clones" + query);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using HttpResponseMessage response = await _http.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    [Test]
    public async Task Three_home_IMSIs_reported_on_one_IMEI_are_listed_with_first_and_last_seen()
    {
        await ReportAsync((1, Imsi1), (1, Imsi2), (2, Imsi1));
        (HttpStatusCode status, JsonElement body) = await GetAsync("");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(body.GetProperty("clones").GetArrayLength(), Is.Zero, "two IMSIs are not a clone");

        await ReportAsync((1, Imsi3));
        (status, body) = await GetAsync("");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((body.GetProperty("threshold").GetInt32(), body.GetProperty("window").GetString(), body.GetProperty("suspected").GetInt32()),
            Is.EqualTo((3, "30.00:00:00", 1)));
        JsonElement clone = body.GetProperty("clones").EnumerateArray().Single();
        Assert.That(clone.GetProperty("imei").GetString(), Is.EqualTo(TestData.Imei(1).ToString()));
        Assert.That(clone.GetProperty("count").GetInt32(), Is.EqualTo(3));
        Assert.That(clone.GetProperty("imsis").EnumerateArray().Select(p => p.GetProperty("imsi").GetString()), Is.EquivalentTo(new[] { Imsi1, Imsi2, Imsi3 }));
        JsonElement first = clone.GetProperty("imsis").EnumerateArray().Single(p => p.GetProperty("imsi").GetString() == Imsi2);
        Assert.That((first.GetProperty("firstSeen").GetString(), first.GetProperty("lastSeen").GetString()),
            Is.EqualTo(("2025-08-31T23:59:00Z", "2025-08-31T23:59:00Z")));
        Assert.That(body.GetProperty("next").ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    [Test]
    public async Task Pages_follow_next_until_it_is_null()
    {
        for (int serial = 1; serial <= 3; serial++) await ReportAsync((serial, Imsi1), (serial, Imsi2), (serial, Imsi3));
        (_, JsonElement page1) = await GetAsync("?limit=2");
        string next = page1.GetProperty("next").GetString()!;
        (_, JsonElement page2) = await GetAsync("?limit=2&after=" + next);
        Assert.That(page1.GetProperty("clones").EnumerateArray().Concat(page2.GetProperty("clones").EnumerateArray()).Select(c => c.GetProperty("imei").GetString()),
            Is.EqualTo(new[] { TestData.Imei(1).ToString(), TestData.Imei(2).ToString(), TestData.Imei(3).ToString() }));
        Assert.That(page2.GetProperty("next").ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    [TestCase("?limit=0", "limit '0' must be a number from 1 to 10000")]
    [TestCase("?limit=x", "limit 'x' must be a number from 1 to 10000")]
    [TestCase("?after=123", "after '123' is not a valid IMEI")]
    public async Task A_bad_query_is_400_naming_the_parameter(string query, string detail)
    {
        (HttpStatusCode status, JsonElement body) = await GetAsync(query);
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(body.GetProperty("detail").GetString(), Does.StartWith(detail));
    }

    [Test]
    public async Task Without_a_reader_credential_it_is_401()
    {
        (HttpStatusCode none, _) = await GetAsync("", token: null);
        (HttpStatusCode wrong, _) = await GetAsync("", token: "not-a-token-0123456789");
        (HttpStatusCode admin, _) = await GetAsync("", token: TestData.AdminToken);
        Assert.That((none, wrong, admin), Is.EqualTo((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.OK)));
    }
}
