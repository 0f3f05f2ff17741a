using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace ImeiEir.Server.Tests.Lifecycle;

/// <summary>N5g-eir and check-before-purchase errors, equipment-unknown, the rate limit, and exact metric counts.</summary>
[TestFixture]
[NonParallelizable]
public sealed class NodeHttpApiTests
{
    private const string HomeImsi = "401011234567890";
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 2, 3, 0, 0, TimeSpan.Zero));
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(20) };
    private string _root = null!;
    private InProcessHost _grey = null!;      // all-in-one, unknown → provisional grey, lookups limited to 5 a window
    private InProcessHost _unknown = null!;   // all-in-one, unknown → equipment unknown

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _root = Path.Combine(Path.GetTempPath(), "imeieir-http-" + Guid.NewGuid().ToString("N"));
        _grey = await InProcessHost.StartAsync(_clock, "--Mode=all-in-one", $"--DataDir={Path.Combine(_root, "grey")}",
            "--Diameter:Port=0", "--Http:Port=0", "--Registry:Port=0", "--Http:LookupRateLimit=5", "--Http:LookupRateWindow=01:00:00");
        _unknown = await InProcessHost.StartAsync(_clock, "--Mode=all-in-one", $"--DataDir={Path.Combine(_root, "unknown")}",
            "--Diameter:Port=0", "--Http:Port=0", "--Registry:Port=0", "--Policy:UnknownAnswer=EquipmentUnknown");
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _grey.DisposeAsync();
        await _unknown.DisposeAsync();
        _http.Dispose();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private const string Pei = "pei=imei-352099001761481";

    [TestCase("", "MANDATORY_QUERY_PARAM_MISSING", "pei", TestName = "pei missing")]
    [TestCase("pei=imei-12345", "MANDATORY_QUERY_PARAM_INCORRECT", "pei", TestName = "pei too short")]
    [TestCase("pei=imei-35209900176148X", "MANDATORY_QUERY_PARAM_INCORRECT", "pei", TestName = "pei not digits")]
    [TestCase("pei=mac-00-11-22-33-44-55", "MANDATORY_QUERY_PARAM_INCORRECT", "pei", TestName = "pei not an IMEI")]
    [TestCase("pei=imeisv-352099001761481", "MANDATORY_QUERY_PARAM_INCORRECT", "pei", TestName = "imeisv with 15 digits")]
    [TestCase(Pei + "&" + Pei, "MANDATORY_QUERY_PARAM_INCORRECT", "pei", TestName = "pei repeated")]
    [TestCase(Pei + "&supi=imsi-40101x", "OPTIONAL_QUERY_PARAM_INCORRECT", "supi", TestName = "supi malformed")]
    [TestCase(Pei + "&supi=nai-%00%ff", "OPTIONAL_QUERY_PARAM_INCORRECT", "supi", TestName = "supi NAI with NUL and a byte that is not UTF-8")]
    [TestCase(Pei + "&supi=nai-%EF%BF%BD", "OPTIONAL_QUERY_PARAM_INCORRECT", "supi", TestName = "supi NAI with the replacement character")]
    [TestCase(Pei + "&supi=nai-user%0Aforged", "OPTIONAL_QUERY_PARAM_INCORRECT", "supi", TestName = "supi NAI with a line feed")]
    [TestCase(Pei + "&supi=imsi-401011234567890&supi=imsi-250011234567890", "OPTIONAL_QUERY_PARAM_INCORRECT", "supi", TestName = "supi repeated")]
    [TestCase(Pei + "&supi=", "OPTIONAL_QUERY_PARAM_INCORRECT", "supi", TestName = "supi empty")]
    [TestCase(Pei + "&gpsi=", "OPTIONAL_QUERY_PARAM_INCORRECT", "gpsi", TestName = "gpsi empty")]
    [TestCase(Pei + "&gpsi=msisdn-77011234567&gpsi=msisdn-77017654321", "OPTIONAL_QUERY_PARAM_INCORRECT", "gpsi", TestName = "gpsi repeated")]
    [TestCase(Pei + "&gpsi=msisdn-%01", "OPTIONAL_QUERY_PARAM_INCORRECT", "gpsi", TestName = "gpsi with a control character")]
    [TestCase(Pei + "&supported-features=xyz", "OPTIONAL_QUERY_PARAM_INCORRECT", "supported-features", TestName = "supported-features not hexadecimal")]
    [TestCase(Pei + "&supported-features=1&supported-features=2", "OPTIONAL_QUERY_PARAM_INCORRECT", "supported-features", TestName = "supported-features repeated")]
    public async Task A_bad_N5g_eir_parameter_is_a_400_problem_with_its_cause(string query, string cause, string param)
    {
        using HttpResponseMessage response = await _http.GetAsync(new Uri(_grey.Http, $"n5g-eir-eic/v1/equipment-status?{query}"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        JsonElement problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(problem.GetProperty("status").GetInt32(), Is.EqualTo(400));
        Assert.That(problem.GetProperty("cause").GetString(), Is.EqualTo(cause));
        // TS 29.571 InvalidParam: a query parameter is named "query " + its name.
        Assert.That(problem.GetProperty("invalidParams")[0].GetProperty("param").GetString(), Is.EqualTo("query " + param));
        Assert.That(problem.GetProperty("detail").GetString(), Does.Not.Contain("\0").And.Not.Contain("\n").And.Not.Contain("\u0000"),
            "control characters are escaped in the detail, not echoed");
    }

    [TestCase(Pei + "&supi=nai-user@example.org", TestName = "supi NAI")]
    [TestCase(Pei + "&supi=nai-%D0%B0%D0%B9@example.kz", TestName = "supi NAI in UTF-8")]
    [TestCase(Pei + "&supi=gci-00112233445566778899", TestName = "supi GCI")]
    [TestCase(Pei + "&gpsi=msisdn-77011234567", TestName = "gpsi MSISDN")]
    [TestCase(Pei + "&supported-features=", TestName = "supported-features empty")]
    [TestCase(Pei + "&supported-features=0aF9", TestName = "supported-features hexadecimal")]
    public async Task A_valid_optional_N5g_eir_parameter_is_accepted(string query)
    {
        using HttpResponseMessage response = await _http.GetAsync(new Uri(_grey.Http, $"n5g-eir-eic/v1/equipment-status?{query}"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        Assert.That((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString(), Does.EndWith("LISTED"));
    }

    [Test]
    public async Task An_unknown_IMEI_is_404_equipment_unknown_when_so_configured_and_gets_no_record()
    {
        string imei = Luhn.With("35274108100014");
        using HttpResponseMessage response = await _http.GetAsync(new Uri(_unknown.Http, $"n5g-eir-eic/v1/equipment-status?pei=imei-{imei}&supi=imsi-{HomeImsi}"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        JsonElement problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(problem.GetProperty("cause").GetString(), Is.EqualTo("ERROR_EQUIPMENT_UNKNOWN"));

        using var mme = new S13Client(_unknown.Diameter);
        Assert.That(mme.Check(imei, HomeImsi), Is.EqualTo((0u, 5422u, -1)), "S13: Experimental-Result 5422, no Result-Code, no status");
        Assert.That((await _unknown.LookupAsync(_http, imei)).GetProperty("list").GetString(), Is.EqualTo("none"));
    }

    [Test]
    public async Task Check_before_purchase_reports_without_registering_and_refuses_a_non_IMEI()
    {
        string imei = "35274108100021";
        JsonElement unknown = await _unknown.LookupAsync(_http, imei); // _unknown: no rate limit to spend
        Assert.That(unknown.GetProperty("imei").GetString(), Is.EqualTo(Luhn.With(imei)), "the 15-digit form people see");
        Assert.That(unknown.GetProperty("list").GetString(), Is.EqualTo("none"));
        foreach (string language in new[] { "ru", "kk", "en" })
            Assert.That(unknown.GetProperty("verdict").GetProperty(language).GetString(), Is.Not.Empty, language);
        Assert.That((await _unknown.LookupAsync(_http, imei)).GetProperty("list").GetString(), Is.EqualTo("none"), "a lookup is not an attach");

        using HttpResponseMessage bad = await _http.GetAsync(new Uri(_unknown.Http, "v1/imei/3527410810002"));
        Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(bad.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
    }

    [Test]
    public async Task A_lookup_with_a_wrong_check_digit_echoes_the_IMEI_as_given_and_says_the_check_digit_is_wrong()
    {
        string imei = "35274108100045";
        int check = Luhn.With(imei)[14] - '0';
        int other = (check + 1) % 10 == 0 ? (check + 2) % 10 : (check + 1) % 10; // 0 is the spare digit, accepted as valid
        string wrong = imei + (char)('0' + other);
        JsonElement bad = await _unknown.LookupAsync(_http, wrong);
        Assert.That(bad.GetProperty("imei").GetString(), Is.EqualTo(wrong), "the IMEI asked about, not another one");
        Assert.That(bad.GetProperty("checkDigitValid").GetBoolean(), Is.False);
        Assert.That(bad.GetProperty("verdict").GetProperty("ru").GetString(), Does.Contain("контрольная цифра неверна"));
        Assert.That(bad.GetProperty("verdict").GetProperty("kk").GetString(), Does.Contain("бақылау цифры қате"));
        Assert.That(bad.GetProperty("verdict").GetProperty("en").GetString(), Does.Contain("check digit is wrong"));

        JsonElement good = await _unknown.LookupAsync(_http, Luhn.With(imei));
        Assert.That(good.GetProperty("imei").GetString(), Is.EqualTo(Luhn.With(imei)));
        Assert.That(good.GetProperty("checkDigitValid").GetBoolean(), Is.True);
        Assert.That(good.GetProperty("verdict").GetProperty("en").GetString(), Does.Not.Contain("check digit"));
    }

    [Test]
    public async Task A_grey_device_lookup_names_its_deadline_in_Almaty_time_in_all_three_verdicts()
    {
        string imei = "35274108100038";
        using HttpResponseMessage attach = await _http.GetAsync(new Uri(_grey.Http, $"n5g-eir-eic/v1/equipment-status?pei=imei-{Luhn.With(imei)}&supi=imsi-{HomeImsi}"));
        Assert.That((await attach.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString(), Is.EqualTo("GREYLISTED"));

        // Day 0 03:00 UTC = 08:00 Almaty (UTC+5); the deadline 30 days later is 01.04.2026 there.
        JsonElement grey = await _grey.LookupAsync(_http, imei);
        Assert.That(grey.GetProperty("list").GetString(), Is.EqualTo("grey"));
        Assert.That(grey.GetProperty("deadlineLocalDate").GetString(), Is.EqualTo("01.04.2026"));
        foreach (string language in new[] { "ru", "kk", "en" })
            Assert.That(grey.GetProperty("verdict").GetProperty(language).GetString(), Does.Contain("01.04.2026"), language);
    }

    [Test]
    public async Task Lookups_past_the_per_client_limit_get_429_with_Retry_After()
    {
        var statuses = new List<HttpStatusCode>();
        for (int i = 0; i < 12; i++)
        {
            using HttpResponseMessage response = await _http.GetAsync(new Uri(_grey.Http, "v1/imei/35209900176148"));
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.That(response.Headers.RetryAfter?.Delta, Is.Not.Null, "Retry-After");
                Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
            }
        }
        // Other tests of this fixture may have spent some of the 5 permits already; never more than 5 succeed.
        Assert.That(statuses.Count(s => s == HttpStatusCode.OK), Is.LessThanOrEqualTo(5));
        Assert.That(statuses.Count(s => s == HttpStatusCode.TooManyRequests), Is.GreaterThanOrEqualTo(7));
        Assert.That(statuses.Skip(statuses.IndexOf(HttpStatusCode.TooManyRequests)), Is.All.EqualTo(HttpStatusCode.TooManyRequests));

        // N5g-eir is the core network's and is never limited.
        for (int i = 0; i < 10; i++)
        {
            using HttpResponseMessage amf = await _http.GetAsync(new Uri(_grey.Http, "n5g-eir-eic/v1/equipment-status?pei=imei-352099001761481"));
            Assert.That(amf.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }
    }
}
