using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ImeiEir.Core;
using Microsoft.Extensions.Time.Testing;

namespace ImeiEir.Server.Tests.Lifecycle;

/// <summary>
/// The registry process hosts the notifier's API on its admin port, guarded by the registry's admin token, and keeps
/// the subscriber directory under its data directory across a restart.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class NotifyHostingTests
{
    private const string AdminToken = "admin-token-for-notify-hosting";
    private const string ReaderToken = "reader-token-for-notify-hosting";

    private string _root = null!;
    private int _port;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(20) };

    [SetUp]
    public void CreateDirectory()
    {
        _root = Path.Combine(Path.GetTempPath(), "imeieir-notify-hosting-" + Guid.NewGuid().ToString("N"));
        _port = InProcessHost.FreePort();
    }

    [TearDown]
    public void RemoveDirectory()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    [OneTimeTearDown]
    public void DisposeClient() => _http.Dispose();

    private Task<InProcessHost> StartRegistryAsync() => InProcessHost.StartAsync(new FakeTimeProvider(Cluster.Day0),
        "--Mode=registry", $"--DataDir={_root}", "--Http:Port=0", "--Registry:Host=127.0.0.1", $"--Registry:Port={_port}",
        $"--Registry:AdminToken={AdminToken}", $"--Registry:ReaderToken={ReaderToken}", "--Registry:LoadDemoLists=false");

    private async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpMethod method, string path, string? token, string? csv = null)
    {
        using var request = new HttpRequestMessage(method, new Uri($"http://127.0.0.1:{_port}/{path}"));
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (csv is not null) request.Content = new StringContent(csv, Encoding.UTF8, "text/csv");
        using HttpResponseMessage response = await _http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Test, CancelAfter(60_000)]
    public async Task Subscribers_import_and_notice_queries_need_the_admin_token_and_the_directory_survives_a_restart()
    {
        const string csv = "401011234567890,77011234567,900101300123,ru\n401019876543210,77027654321,050505600321,kk\n";
        await using (InProcessHost registry = await StartRegistryAsync())
        {
            Assert.That((await SendAsync(HttpMethod.Post, "v1/subscribers", null, csv)).Status, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((await SendAsync(HttpMethod.Post, "v1/subscribers", ReaderToken, csv)).Status, Is.EqualTo(HttpStatusCode.Unauthorized),
                "the reader token (every EIR node has it) cannot change the directory");

            (HttpStatusCode status, string body) = await SendAsync(HttpMethod.Post, "v1/subscribers", AdminToken, csv);
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body);

            (status, body) = await SendAsync(HttpMethod.Post, "v1/subscribers", AdminToken, "401011234567890,not-a-number,900101300123,ru\n");
            Assert.That(status, Is.EqualTo(HttpStatusCode.UnprocessableEntity), body);
            Assert.That(body, Does.Contain("\"line\":1"), "the bad line by its number");

            (status, body) = await SendAsync(HttpMethod.Get, "v1/notices?imei=352099001761481", AdminToken);
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body);
            Assert.That(JsonDocument.Parse(body).RootElement.GetProperty("notices").GetArrayLength(), Is.Zero);
            Assert.That((await SendAsync(HttpMethod.Get, "v1/notices?imei=352099001761481", null)).Status, Is.EqualTo(HttpStatusCode.Unauthorized));
        }

        string directory = File.ReadAllText(Path.Combine(_root, "notify", "subscribers.csv"));
        Assert.That(directory, Does.Contain("401011234567890").And.Contain("401019876543210"));

        await using (InProcessHost registry = await StartRegistryAsync())
        {
            // The same import again changes nothing: the restarted registry opened the directory it had written.
            (HttpStatusCode status, string body) = await SendAsync(HttpMethod.Post, "v1/subscribers", AdminToken, csv);
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body);
            Assert.That(body, Does.Contain("\"added\":0,\"replaced\":0,\"unchanged\":2"), body);
        }
    }

    /// <summary>
    /// What the admin console reads here (issue 25: readers see, admins change): the overview, and the notices and
    /// their summary for admins and named readers, not for the generated reader token every EIR node holds.
    /// </summary>
    [Test, CancelAfter(60_000)]
    public async Task A_named_reader_sees_the_overview_notices_and_their_summary_and_changes_nothing()
    {
        // A reader credential as `eirctl token add console-reader --role reader` leaves it.
        string registryDirectory = Path.Combine(_root, "registry");
        Directory.CreateDirectory(registryDirectory);
        string reader = CredentialsFile.NewToken();
        CredentialsFile.Write(Path.Combine(registryDirectory, CredentialsFile.FileName),
            [new Credential("console-reader", CredentialRole.Reader, CredentialsFile.HashToken(reader), DateTimeOffset.UtcNow)]);

        await using InProcessHost registry = await StartRegistryAsync();

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
