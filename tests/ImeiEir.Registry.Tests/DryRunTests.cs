using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ImeiEir.Core;

namespace ImeiEir.Registry.Tests;

/// <summary>
/// <c>POST /v1/deltas?dryRun=true</c> (issue 25, item 1): judged and planned as a push, every line's outcome and
/// the bad lines with their numbers, and nothing written. Real Kestrel on 127.0.0.1, a port chosen at run time.
/// </summary>
public class DryRunTests
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

    private static HttpRequestMessage Push(string csv, string query, string token = TestData.AdminToken, string? key = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "v1/deltas" + query) { Content = new StringContent(csv, Encoding.UTF8, "text/csv") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (key is not null) request.Headers.Add("Idempotency-Key", key);
        return request;
    }

    // Line 2 is already so, line 3 is new, line 4 has a bad list, line 5 is a removal of a record that exists.
    private static string Delta() =>
        $"op,imei,list,reason\nset,{TestData.Text(1)},white,verified\nset,{TestData.Text(2)},black,stolen\nset,{TestData.Text(3)},purple,stolen\nremove,{TestData.Text(4)},,\n";

    private async Task<JsonElement> DryRunOkAsync(string csv, string query)
    {
        using HttpResponseMessage response = await _http.SendAsync(Push(csv, query));
        string body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    [Test]
    public async Task A_dry_run_reports_every_line_and_its_bad_lines_by_number_and_writes_nothing()
    {
        await TestData.PushCsvAsync(_registry, $"imei,list,reason\n{TestData.Text(1)},white,verified\n{TestData.Text(4)},black,stolen\n");
        ulong before = _registry.LastSequence;

        JsonElement report = await DryRunOkAsync(Delta(), "?dryRun=true");

        Assert.That(report.GetProperty("dryRun").GetBoolean(), Is.True);
        Assert.That(report.GetProperty("accepted").GetBoolean(), Is.False, "atomic, with a bad line: the push as sent would be refused");
        string[] outcomes = report.GetProperty("lines").EnumerateArray()
            .Select(l => $"{l.GetProperty("line").GetInt32()}:{l.GetProperty("outcome").GetString()}").ToArray();
        Assert.That(outcomes, Is.EqualTo(new[] { "2:unchanged", "3:applied", "4:rejected", "5:applied" }));
        JsonElement bad = report.GetProperty("lines")[2];
        Assert.That(bad.GetProperty("reason").GetString(), Does.Contain("purple"));
        Assert.That((report.GetProperty("applied").GetInt32(), report.GetProperty("unchanged").GetInt32(), report.GetProperty("rejected").GetInt32()),
            Is.EqualTo((2, 1, 1)));
        Assert.That(report.GetProperty("lastSequence").ValueKind, Is.EqualTo(JsonValueKind.Null), "no change number is assigned");

        Assert.That(_registry.LastSequence, Is.EqualTo(before), "a dry run appends no change");
        Assert.That(_registry.TryGet(TestData.Imei(2), out _), Is.False);
        Assert.That(_registry.TryGet(TestData.Imei(4), out ImeiRecord stillBlack) && stillBlack.List == ListKind.Black, Is.True);
    }

    [Test]
    public async Task A_partial_dry_run_is_accepted_when_the_partial_push_would_be()
    {
        JsonElement report = await DryRunOkAsync(Delta(), "?partial=true&dryRun=true");

        Assert.That(report.GetProperty("accepted").GetBoolean(), Is.True);
        Assert.That(report.GetProperty("rejected").GetInt32(), Is.EqualTo(1));
        Assert.That(_registry.LastSequence, Is.EqualTo(0UL));
    }

    [Test]
    public async Task A_dry_run_leaves_no_idempotency_record_so_the_real_push_with_that_key_applies()
    {
        string csv = $"imei,list,reason\n{TestData.Text(7)},black,stolen\n";
        using (HttpResponseMessage dry = await _http.SendAsync(Push(csv, "?dryRun=true", key: "k-1")))
            Assert.That(dry.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        using HttpResponseMessage real = await _http.SendAsync(Push(csv, "", key: "k-1"));
        string body = await real.Content.ReadAsStringAsync();

        Assert.That(real.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        Assert.That(real.Headers.Contains("Idempotency-Replayed"), Is.False, "the dry run must not be replayed as the push's outcome");
        Assert.That(JsonDocument.Parse(body).RootElement.GetProperty("applied").GetInt32(), Is.EqualTo(1));
        Assert.That(_registry.TryGet(TestData.Imei(7), out ImeiRecord record) && record.List == ListKind.Black, Is.True);
    }

    [Test]
    public async Task A_dry_run_needs_the_admin_right_as_a_push_does()
    {
        using HttpResponseMessage response = await _http.SendAsync(Push(Delta(), "?dryRun=true", TestData.ReaderToken));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task A_bad_dryRun_value_is_refused_naming_the_parameter()
    {
        using HttpResponseMessage response = await _http.SendAsync(Push(Delta(), "?dryRun=maybe"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("dryRun"));
        Assert.That(_registry.LastSequence, Is.EqualTo(0UL));
    }
}
