using System.Net;
using System.Net.Http.Headers;
using ImeiEir.Server.Tests.Lifecycle;
using Microsoft.Extensions.Time.Testing;

namespace ImeiEir.Server.Tests.CheckPage;

/// <summary>
/// The public check page (issue 25, item 2) over plain HTTP: the verdict in the reader's language, the maker from
/// the TAC database, a bad IMEI's reason, escaping, and the lookup's rate limit. The browser tests
/// (<see cref="CheckPageBrowserTests"/>) look at it as a person does.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class CheckPageHttpTests
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(20) };
    private CheckPageNode _node = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _node = await CheckPageNode.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _node.DisposeAsync();
        _http.Dispose();
    }

    private async Task<(HttpStatusCode Status, string Html, HttpResponseMessage Response)> GetAsync(string query, string? acceptLanguage = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_node.CheckPage + query));
        if (acceptLanguage is not null) request.Headers.AcceptLanguage.ParseAdd(acceptLanguage);
        HttpResponseMessage response = await _http.SendAsync(request);
        string html = await response.Content.ReadAsStringAsync();
        response.Dispose();
        return (response.StatusCode, html, response);
    }

    [Test]
    public async Task The_bare_page_is_a_self_contained_form_sized_for_a_phone()
    {
        (HttpStatusCode status, string html, HttpResponseMessage response) = await GetAsync("");

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
        Assert.That(response.Content.Headers.ContentType?.CharSet, Is.EqualTo("utf-8"));
        Assert.That(html, Does.Contain("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"));
        Assert.That(html, Does.Contain("<form method=\"get\" action=\"/check\">").And.Contain("name=\"imei\""));
        Assert.That(html, Does.Not.Contain("<script").And.Not.Contain("http://").And.Not.Contain("https://"),
            "no script and nothing fetched from elsewhere: it works offline");
        Assert.That(html, Does.Not.Contain("id=\"result\""));
    }

    [TestCase("en", "On the white list")]
    [TestCase("ru", "Устройство в «белом списке»")]
    [TestCase("kk", "Құрылғы «ақ тізімде»")]
    public async Task The_verdict_is_in_the_language_asked_for_with_lang(string language, string verdict)
    {
        (HttpStatusCode status, string html, _) = await GetAsync($"?imei={CheckPageNode.White}&lang={language}", acceptLanguage: "de-DE");

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(html, Does.Contain($"<html lang=\"{language}\">"));
        Assert.That(html, Does.Contain("data-verdict=\"white\""));
        Assert.That(html, Does.Contain(verdict));
    }

    [TestCase("kk-KZ,ru;q=0.8,en;q=0.5", "kk")]
    [TestCase("de-DE,en;q=0.9,ru;q=0.8", "en")]
    [TestCase("fr-FR", "ru")]
    public async Task Without_lang_the_language_is_the_best_of_Accept_Language_else_Russian(string acceptLanguage, string expected)
    {
        (_, string html, _) = await GetAsync($"?imei={CheckPageNode.Black}", acceptLanguage);

        Assert.That(html, Does.Contain($"<html lang=\"{expected}\">"));
        Assert.That(html, Does.Contain("data-verdict=\"black\""));
    }

    [Test]
    public async Task The_maker_and_model_from_the_TAC_database_are_shown_escaped()
    {
        (_, string html, _) = await GetAsync($"?imei={CheckPageNode.White}&lang=en");

        Assert.That(html, Does.Contain("<dd id=\"manufacturer\">Acme &lt;Phones&gt; &amp; Co</dd>"));
        Assert.That(html, Does.Contain("<dd id=\"model\">Phone &quot;1&quot;</dd>"));
        Assert.That(html, Does.Not.Contain("<Phones>"));
    }

    [Test]
    public async Task A_bad_IMEI_gets_its_reason_on_the_page_and_is_echoed_escaped()
    {
        string bad = "<script>alert(1)</script>";
        (HttpStatusCode status, string html, _) = await GetAsync($"?imei={Uri.EscapeDataString(bad)}&lang=en");

        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(html, Does.Contain("is not an IMEI: give 14, 15 or 16 digits"));
        Assert.That(html, Does.Contain("&lt;script&gt;alert(1)&lt;/script&gt;"));
        Assert.That(html, Does.Not.Contain(bad), "the input is never written back as markup");
    }

    [Test]
    public async Task An_unlisted_IMEI_is_reported_not_registered_and_the_check_registers_nothing()
    {
        (_, string html, _) = await GetAsync($"?imei={CheckPageNode.Unknown}&lang=en");
        (_, string again, _) = await GetAsync($"?imei={CheckPageNode.Unknown}&lang=en");

        Assert.That(html, Does.Contain("data-verdict=\"unknown\"").And.Contain("Not registered."));
        Assert.That(again, Does.Contain("data-verdict=\"unknown\""), "a check is not an attach: no provisional grey record");
    }

    [Test]
    public async Task A_check_spends_the_lookups_rate_limit_and_is_refused_as_a_page_while_the_bare_form_is_not()
    {
        string root = Path.Combine(Path.GetTempPath(), "imeieir-check-limit-" + Guid.NewGuid().ToString("N"));
        InProcessHost limited = await InProcessHost.StartAsync(new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56)),
            "--Mode=all-in-one", $"--DataDir={root}", "--Diameter:Port=0", "--Http:Port=0", "--Registry:Port=0",
            "--Http:LookupRateLimit=2", "--Http:LookupRateWindow=01:00:00");
        try
        {
            using (HttpResponseMessage json = await _http.GetAsync(new Uri(limited.Http, $"v1/imei/{CheckPageNode.Unknown}")))
                Assert.That(json.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the JSON lookup spends the first permit");
            using (HttpResponseMessage page = await _http.GetAsync(new Uri(limited.Http, $"check?imei={CheckPageNode.Unknown}&lang=en")))
                Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the page spends the second");

            using HttpResponseMessage refused = await _http.GetAsync(new Uri(limited.Http, $"check?imei={CheckPageNode.Unknown}&lang=en"));
            string html = await refused.Content.ReadAsStringAsync();
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
            Assert.That(refused.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
            Assert.That(html, Does.Contain("Too many checks from your address"));
            using HttpResponseMessage json2 = await _http.GetAsync(new Uri(limited.Http, $"v1/imei/{CheckPageNode.Unknown}"));
            Assert.That(json2.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests), "one window for the page and the JSON lookup");
            Assert.That(json2.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));

            using HttpResponseMessage form = await _http.GetAsync(new Uri(limited.Http, "check"));
            Assert.That(form.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the bare form looks nothing up and costs no permit");
        }
        finally
        {
            await limited.DisposeAsync();
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }
}
