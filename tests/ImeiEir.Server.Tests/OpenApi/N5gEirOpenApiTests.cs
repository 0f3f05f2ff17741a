using System.Net.Http.Json;
using System.Text.Json;
using ImeiEir.Server.Tests.Lifecycle;
using Microsoft.Extensions.Time.Testing;
using YamlDotNet.RepresentationModel;

namespace ImeiEir.Server.Tests.OpenApi;

/// <summary>
/// Every kind of N5g-eir answer (200 with each status, 400 for each parameter problem, 404 equipment unknown),
/// validated against 3GPP's own OpenAPI of TS 29.511 and TS 29.571 kept in this directory (see its README).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class N5gEirOpenApiTests
{
    private const string N5gEir = "TS29511_N5g-eir_EquipmentIdentityCheck.yaml";
    private const string Operation = "/equipment-status";
    private const string HomeImsi = "401011234567890";
    private const string Pei = "pei=imei-352099001761481";

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 2, 3, 0, 0, TimeSpan.Zero));
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(20) };
    private readonly OpenApiDocuments _documents = OpenApiDocuments.InTestOutput();
    private string _root = null!;
    private InProcessHost _grey = null!;      // unknown → provisional grey
    private InProcessHost _unknown = null!;   // unknown → equipment unknown (404)

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _root = Path.Combine(Path.GetTempPath(), "imeieir-openapi-" + Guid.NewGuid().ToString("N"));
        _grey = await InProcessHost.StartAsync(_clock, "--Mode=all-in-one", $"--DataDir={Path.Combine(_root, "grey")}",
            "--Diameter:Port=0", "--Http:Port=0", "--Registry:Port=0");
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

    [TestCase("grey", Pei + "&supi=imsi-" + HomeImsi, 200, "WHITELISTED", TestName = "200 WHITELISTED")]
    [TestCase("grey", "pei=imei-351234560000002", 200, "BLACKLISTED", TestName = "200 BLACKLISTED (demo list: stolen)")]
    [TestCase("grey", "pei=imei-352741081000518&supi=imsi-" + HomeImsi, 200, "GREYLISTED", TestName = "200 GREYLISTED (unknown, home subscriber)")]
    [TestCase("unknown", "pei=imei-352741081000526", 404, "ERROR_EQUIPMENT_UNKNOWN", TestName = "404 equipment unknown")]
    [TestCase("grey", "", 400, "MANDATORY_QUERY_PARAM_MISSING", TestName = "400 pei missing")]
    [TestCase("grey", "pei=imei-12345", 400, "MANDATORY_QUERY_PARAM_INCORRECT", TestName = "400 pei malformed")]
    [TestCase("grey", Pei + "&" + Pei, 400, "MANDATORY_QUERY_PARAM_INCORRECT", TestName = "400 pei repeated")]
    [TestCase("grey", Pei + "&supi=nai-%00%ff", 400, "OPTIONAL_QUERY_PARAM_INCORRECT", TestName = "400 supi with NUL")]
    [TestCase("grey", Pei + "&supi=", 400, "OPTIONAL_QUERY_PARAM_INCORRECT", TestName = "400 supi empty")]
    [TestCase("grey", Pei + "&gpsi=", 400, "OPTIONAL_QUERY_PARAM_INCORRECT", TestName = "400 gpsi empty")]
    [TestCase("grey", Pei + "&supported-features=xyz", 400, "OPTIONAL_QUERY_PARAM_INCORRECT", TestName = "400 supported-features")]
    public async Task An_N5g_eir_answer_is_valid_against_3GPP_OpenAPI(string host, string query, int status, string expected)
    {
        InProcessHost target = host == "grey" ? _grey : _unknown;
        using HttpResponseMessage response = await _http.GetAsync(new Uri(target.Http, $"n5g-eir-eic/v1/equipment-status?{query}"));
        Assert.That((int)response.StatusCode, Is.EqualTo(status));
        JsonElement body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(body.GetProperty(status == 200 ? "status" : "cause").GetString(), Is.EqualTo(expected));

        string mediaType = response.Content.Headers.ContentType?.MediaType ?? "(none)";
        (string file, YamlNode schema) = _documents.ResponseSchema(N5gEir, Operation, "get", status, mediaType);
        List<string> problems = new SchemaValidator(_documents).Validate(file, schema, body);
        Assert.That(problems, Is.Empty, $"{status} {body.GetRawText()}");
    }

    // The validator must be able to say no, or the test above proves nothing.
    [TestCase(200, "application/json", """{"status":"PURPLELISTED"}""", "is not one of", TestName = "status outside the enum")]
    [TestCase(200, "application/json", """{"verdict":"WHITELISTED"}""", "required property status", TestName = "status missing")]
    [TestCase(400, "application/problem+json", """{"status":"400","cause":"X"}""", "is not of type integer", TestName = "ProblemDetails status as text")]
    [TestCase(400, "application/problem+json", """{"status":400,"invalidParams":[]}""", "fewer than 1", TestName = "invalidParams empty")]
    [TestCase(400, "application/problem+json", """{"status":400,"supportedFeatures":"xyz"}""", "does not match", TestName = "supportedFeatures not hexadecimal")]
    public void The_validator_refuses_a_body_that_breaks_the_schema(int status, string mediaType, string json, string expected)
    {
        (string file, YamlNode schema) = _documents.ResponseSchema(N5gEir, Operation, "get", status, mediaType);
        using JsonDocument body = JsonDocument.Parse(json);
        List<string> problems = new SchemaValidator(_documents).Validate(file, schema, body.RootElement);
        Assert.That(problems, Has.Some.Contains(expected));
    }

    [Test]
    public void An_answer_the_operation_does_not_document_is_refused()
    {
        Assert.Throws<AssertionException>(() => _documents.ResponseSchema(N5gEir, Operation, "get", 200, "application/problem+json"));
        Assert.Throws<AssertionException>(() => _documents.ResponseSchema(N5gEir, Operation, "get", 418, "application/json"));
    }
}
