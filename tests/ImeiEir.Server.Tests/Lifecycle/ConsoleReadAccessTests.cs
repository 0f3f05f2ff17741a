using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ImeiEir.Core;
using Microsoft.Extensions.Time.Testing;

namespace ImeiEir.Server.Tests.Lifecycle;

/// <summary>
/// What the admin console reads on the registry's port, as the registry process composes it: the overview, and the
/// notifier's notices and summary for readers (issue 25: readers see, admins change). Subscribers' data is for admins
/// and named reader credentials, not for the generated reader token every EIR node holds.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class ConsoleReadAccessTests
{
    private const string AdminToken = "admin-token-for-console-reads";
    private const string ReaderToken = "reader-token-for-console-reads";

    private string _root = null!;
    private int _port;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(20) };

    [SetUp]
    public void CreateDirectory()
    {
        _root = Path.Combine(Path.GetTempPath(), "imeieir-console-reads-" + Guid.NewGuid().ToString("N"));
        _port = InProcessHost.FreePort();
    }

    [TearDown]
    public void RemoveDirectory()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    [OneTimeTearDown]
    public void DisposeClient() => _http.Dispose();

    private async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpMethod method, string path, string token, string? csv = null)
    {
        using var request = new HttpRequestMessage(method, new Uri($"http://127.0.0.1:{_port}/{path}"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (csv is not null) request.Content = new StringContent(csv, Encoding.UTF8, "text/csv");
        using HttpResponseMessage response = await _http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Test, CancelAfter(60_000)]
    public async Task A_named_reader_sees_the_overview_notices_and_their_summary_and_changes_nothing()
    {
        // A reader credential as `eirctl token add console-reader --role reader` leaves it.
        string registryDirectory = Path.Combine(_root, "registry");
        Directory.CreateDirectory(registryDirectory);
        string reader = CredentialsFile.NewToken();
        CredentialsFile.Write(Path.Combine(registryDirectory, CredentialsFile.FileName),
            [new Credential("console-reader", CredentialRole.Reader, CredentialsFile.HashToken(reader), DateTimeOffset.UtcNow)]);

        await using InProcessHost registry = await InProcessHost.StartAsync(new FakeTimeProvider(Cluster.Day0),
            "--Mode=registry", $"--DataDir={_root}", "--Http:Port=0", "--Registry:Host=127.0.0.1", $"--Registry:Port={_port}",
            $"--Registry:AdminToken={AdminToken}", $"--Registry:ReaderToken={ReaderToken}", "--Registry:LoadDemoLists=false");

        (HttpStatusCode status, string body) = await SendAsync(HttpMethod.Get, "v1/overview", reader);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body);
        JsonElement overview = JsonDocument.Parse(body).RootElement;
        Assert.That(overview.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[]
            { "sequence", "generation", "now", "records", "changesPerDay", "sightings", "greyExpiring", "clones", "followers" }));

        (status, body) = await SendAsync(HttpMethod.Get, "v1/notices/summary", reader);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body);
        Assert.That(JsonDocument.Parse(body).RootElement.GetProperty("parked").GetInt64(), Is.Zero);
        (status, body) = await SendAsync(HttpMethod.Get, "v1/notices?imei=352099001761481", reader);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body);
        Assert.That((await SendAsync(HttpMethod.Get, "v1/notices?imei=352099001761481", AdminToken)).Status, Is.EqualTo(HttpStatusCode.OK));

        Assert.That((await SendAsync(HttpMethod.Get, "v1/notices?imei=352099001761481", ReaderToken)).Status, Is.EqualTo(HttpStatusCode.Unauthorized),
            "the generated reader token is every node's: no subscribers' numbers for it");
        Assert.That((await SendAsync(HttpMethod.Post, "v1/subscribers", reader, "401011234567890,77011234567,900101300123,ru\n")).Status,
            Is.EqualTo(HttpStatusCode.Unauthorized), "readers see, admins change");
    }
}
