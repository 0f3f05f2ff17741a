using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ImeiEir.Core;

namespace ImeiEir.Registry.Tests;

/// <summary><c>POST /v1/legacy</c> and <c>POST /v1/grace/extend</c> through a real Kestrel on 127.0.0.1 (a free port).</summary>
public class LegacyAndGraceHttpTests
{
    private TempDirectory _dir = null!;
    private RegistryService _registry = null!;
    private RegistryApiHost _host = null!;
    private HttpClient _http = null!;

    [SetUp]
    public async Task SetUp()
    {
        _dir = new TempDirectory();
        _registry = await TestData.OpenAsync(_dir.Path);
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

    private Task<HttpResponseMessage> PostAsync(string path, HttpContent content, string token = TestData.AdminToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return _http.SendAsync(request);
    }

    private Task<HttpResponseMessage> ExtendAsync(string json, string token = TestData.AdminToken) =>
        PostAsync("/v1/grace/extend", new StringContent(json, Encoding.UTF8, "application/json"), token);

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(status), body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static string Future(int days) => DateTimeOffset.UtcNow.AddDays(days).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    [Test]
    public async Task Both_need_the_admin_token_and_write_nothing_without_it()
    {
        await JsonAsync(await PostAsync("/v1/legacy", new StringContent($"{TestData.Text(1)},2020-01-01\n", Encoding.UTF8, "text/csv"), TestData.ReaderToken), HttpStatusCode.Unauthorized);
        await JsonAsync(await ExtendAsync($"{{\"until\":\"{Future(30)}\",\"all\":true}}", TestData.ReaderToken), HttpStatusCode.Unauthorized);
        Assert.That(_registry.LastSequence, Is.Zero);
    }

    [Test]
    public async Task Legacy_answers_the_counts_and_the_lines_not_imported()
    {
        JsonElement report = await JsonAsync(await PostAsync("/v1/legacy?comment=dump%20A",
            new StringContent($"imei,first_seen\n{TestData.Text(1)},2020-01-01\n{TestData.Text(2)},2026-01-01\nx,y\n", Encoding.UTF8, "text/csv")), HttpStatusCode.OK);
        Assert.That((report.GetProperty("imported").GetInt32(), report.GetProperty("tooLate").GetInt32(), report.GetProperty("rejected").GetInt32()), Is.EqualTo((1, 1, 1)));
        JsonElement[] lines = report.GetProperty("lines").EnumerateArray().ToArray();
        Assert.That(lines.Select(l => (l.GetProperty("line").GetInt32(), l.GetProperty("outcome").GetString())), Is.EqualTo(new[] { (3, "too-late"), (4, "rejected") }));
        Assert.That(lines[0].GetProperty("imei").GetString(), Is.EqualTo(TestData.Text(2)));
        Assert.That(_registry.TryGet(TestData.Imei(1), out ImeiRecord record) && record.Reason == Reason.Legacy, Is.True);
    }

    [TestCase("{\"all\":true}", "until is required")]
    [TestCase("{\"until\":\"2020-01-01\",\"all\":true}", "is not in the future")]
    [TestCase("{\"until\":\"01.01.2030\",\"all\":true}", "is not a date")]
    [TestCase("{\"until\":\"2099-01-01\"}", "exactly one of")]
    [TestCase("{\"until\":\"2099-01-01\",\"all\":true,\"tacRange\":\"35000000\"}", "exactly one of")]
    [TestCase("{\"until\":\"2099-01-01\",\"tacRange\":\"35000001-35000000\"}", "is not a TAC range")]
    [TestCase("{\"until\":\"2099-01-01\",\"imeis\":[\"123\"]}", "imeis[0]")]
    [TestCase("[1]", "expected a JSON object")]
    [TestCase("nonsense", "not JSON")]
    public async Task A_bad_extension_is_400_naming_the_problem_and_writes_nothing(string json, string problem)
    {
        await TestData.PushCsvAsync(_registry, $"imei,list,reason,deadline\n{TestData.Text(1)},grey,unverified,{Future(5)}\n");
        JsonElement answer = await JsonAsync(await ExtendAsync(json), HttpStatusCode.BadRequest);
        Assert.That(answer.GetProperty("detail").GetString(), Does.Contain(problem));
        Assert.That(_registry.LastSequence, Is.EqualTo(1UL));
    }

    [Test]
    public async Task A_TAC_range_extends_only_grey_records_of_its_TACs()
    {
        Imei otherTac = Imei.FromKey(35_000_100_000_001UL);
        await TestData.PushCsvAsync(_registry, $"imei,list,reason,deadline\n{TestData.Text(1)},grey,unverified,{Future(5)}\n"
            + $"{otherTac.ToString()},grey,unverified,{Future(5)}\n{TestData.Text(2)},white,verified,\n");
        JsonElement report = await JsonAsync(await ExtendAsync($"{{\"until\":\"{Future(90)}\",\"tacRange\":\"35000000-35000099\",\"comment\":\"order 1\"}}"), HttpStatusCode.OK);
        Assert.That((report.GetProperty("extended").GetInt32(), report.GetProperty("unchanged").GetInt32(), report.GetProperty("reinstated").GetInt32()), Is.EqualTo((1, 0, 0)));
        Assert.That((report.GetProperty("firstSequence").GetUInt64(), report.GetProperty("lastSequence").GetUInt64()), Is.EqualTo((4UL, 4UL)));
        Assert.That(_registry.TryGet(otherTac, out ImeiRecord other) && other.Sequence == 2, Is.True, "the other TAC's record is untouched");
    }
}
