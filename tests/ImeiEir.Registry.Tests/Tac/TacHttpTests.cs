using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace ImeiEir.Registry.Tests.Tac;

/// <summary><c>PUT /v1/tac</c> and <c>GET /v1/tac</c> through a real Kestrel on 127.0.0.1.</summary>
public class TacHttpTests
{
    private const string Good = "TAC|Brand Name|Model Name|Device Type\n35209900|Apple|iPhone 15|Smartphone\n86000012|Quectel|BG96|IoT Device\n";

    private TempDirectory _dir = null!;
    private RegistryService _registry = null!;
    private RegistryApiHost _host = null!;
    private HttpClient _http = null!;

    [SetUp]
    public async Task SetUp()
    {
        _dir = new TempDirectory();
        _registry = await TestData.OpenAsync(_dir.Path, TestData.Options());
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

    private Task<HttpResponseMessage> PutAsync(string csv, string token = TestData.AdminToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, "/v1/tac") { Content = new StringContent(csv, Encoding.UTF8, "text/csv") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return _http.SendAsync(request);
    }

    private Task<HttpResponseMessage> GetAsync(string? ifNoneMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/v1/tac");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestData.ReaderToken);
        if (ifNoneMatch is not null) request.Headers.IfNoneMatch.Add(new EntityTagHeaderValue(ifNoneMatch));
        return _http.SendAsync(request);
    }

    [Test]
    public async Task An_imported_file_is_served_normalised_with_its_version_as_ETag_and_304_when_unchanged()
    {
        Assert.That((await GetAsync()).StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "nothing imported yet");

        HttpResponseMessage put = await PutAsync(Good);
        string putBody = await put.Content.ReadAsStringAsync();
        Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.OK), putBody);
        JsonElement report = JsonDocument.Parse(putBody).RootElement;
        Assert.That(report.GetProperty("tacs").GetInt32(), Is.EqualTo(2));
        string version = report.GetProperty("version").GetString()!;

        HttpResponseMessage get = await GetAsync();
        Assert.That(get.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(get.Headers.ETag?.Tag, Is.EqualTo($"\"{version}\""));
        Assert.That(await get.Content.ReadAsStringAsync(),
            Is.EqualTo("tac,manufacturer,model,device_type\n35209900,Apple,iPhone 15,Smartphone\n86000012,Quectel,BG96,IoT Device\n"));

        Assert.That((await GetAsync($"\"{version}\"")).StatusCode, Is.EqualTo(HttpStatusCode.NotModified));
    }

    [Test]
    public async Task A_file_with_bad_lines_is_refused_with_their_numbers_and_the_old_database_stays()
    {
        string first = JsonDocument.Parse(await (await PutAsync(Good)).Content.ReadAsStringAsync()).RootElement.GetProperty("version").GetString()!;

        HttpResponseMessage put = await PutAsync("tac,manufacturer,model,device_type\n11111111,A,B,Smartphone\n2222,A,B,Smartphone\n33333333,A,B,Smartphone\nxx,A,B,C\n");
        string body = await put.Content.ReadAsStringAsync();
        Assert.That((int)put.StatusCode, Is.EqualTo(422), body);
        JsonElement problem = JsonDocument.Parse(body).RootElement;
        Assert.That(problem.GetProperty("badLines").GetInt64(), Is.EqualTo(2));
        Assert.That(problem.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("line").GetInt64()), Is.EqualTo(new long[] { 3, 5 }));

        HttpResponseMessage get = await GetAsync();
        Assert.That(get.Headers.ETag?.Tag, Is.EqualTo($"\"{first}\""), "all or nothing: the first import is still in force");
        Assert.That(await get.Content.ReadAsStringAsync(), Does.Not.Contain("11111111"));
    }

    [Test]
    public async Task Importing_needs_the_admin_token() =>
        Assert.That((await PutAsync(Good, TestData.ReaderToken)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
}
