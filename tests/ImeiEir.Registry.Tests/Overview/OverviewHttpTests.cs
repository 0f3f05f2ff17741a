using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using ImeiEir.Core;
using ImeiEir.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace ImeiEir.Registry.Tests.Overview;

/// <summary>
/// <c>GET /v1/overview</c> over a real Kestrel on 127.0.0.1 (a free port), on a registry whose clock is fake so its
/// changes fall on chosen local days of the regime calendar (Asia/Almaty, UTC+5).
/// </summary>
public sealed class OverviewHttpTests
{
    // 2025-09-07T20:00Z is 2025-09-08 01:00 in Almaty: a change then belongs to local day 09-08, though UTC says 09-07.
    private static readonly DateTimeOffset FirstPush = new(2025, 9, 7, 20, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Now = new(2025, 9, 10, 12, 0, 0, TimeSpan.Zero);

    private TempDirectory _directory = null!;
    private FakeTimeProvider _time = null!;
    private RegistryService _registry = null!;
    private CloneWatch _clones = null!;
    private TempDirectory _clonesDirectory = null!;
    private SightingIntake _intake = null!;
    private FeedFollowers _followers = null!;
    private RegistryOverview? _overview;
    private RegistryApiHost? _host;

    [SetUp]
    public async Task SetUp()
    {
        _directory = new TempDirectory();
        _clonesDirectory = new TempDirectory();
        _time = new FakeTimeProvider(FirstPush);
        _registry = await TestData.OpenAsync(_directory.Path, time: _time);
        _clones = CloneWatch.Open(_clonesDirectory.Path, new CloneOptions(), _time, NullLogger.Instance);
        _intake = new SightingIntake(_registry, DecisionPolicy.Create(new PolicyOptions { GracePeriod = TimeSpan.FromDays(30) }),
            new RegimeClock(_time), NullLogger.Instance, _clones);
        _followers = new FeedFollowers();
    }

    [TearDown]
    public async Task TearDown()
    {
        if (_host is not null) await _host.DisposeAsync();
        _overview?.Dispose();
        _clones.Dispose();
        await _registry.DisposeAsync();
        _clonesDirectory.Dispose();
        _directory.Dispose();
    }

    private async Task<HttpClient> StartAsync()
    {
        _overview = new RegistryOverview(_registry, _intake);
        _host = await RegistryApiHost.StartAsync(_registry, _overview, _intake, _clones, _followers);
        return _host.Http;
    }

    private async Task<JsonElement> OverviewAsync(string token = TestData.ReaderToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/overview");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using HttpResponseMessage response = await _host!.Http.SendAsync(request);
        string body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static Dictionary<string, long> Days(JsonElement array, string count) =>
        array.EnumerateArray().ToDictionary(e => e.GetProperty("day").GetString()!, e => e.GetProperty(count).GetInt64());

    [Test]
    public async Task Records_per_list_changes_per_local_day_and_grey_deadlines_per_local_day_are_counted()
    {
        // Five changes on local day 09-08, before the overview exists: counted from the log's tail.
        await TestData.PushCsvAsync(_registry, "op,imei,list,reason,deadline,imsi\n"
            + $"set,{TestData.Text(1)},white,verified,,\n"
            + $"set,{TestData.Text(2)},white,verified,,\n"
            + $"set,{TestData.Text(3)},black,stolen,,\n"
            + $"set,{TestData.Text(4)},grey,unverified,2025-09-12,\n"
            + $"set,{TestData.Text(5)},grey,unverified,2025-09-30,\n");
        HttpClient _ = await StartAsync();
        // Two on local day 09-10, after it: counted as they commit.
        _time.SetUtcNow(Now);
        await TestData.PushCsvAsync(_registry, "op,imei,list,reason,deadline,imsi\n"
            + $"remove,{TestData.Text(2)},,,,\n"
            + $"pair,{TestData.Text(1)},,,,401011234567890\n");

        JsonElement overview = await OverviewAsync();

        Assert.That(overview.GetProperty("sequence").GetInt64(), Is.EqualTo(7));
        Assert.That(overview.GetProperty("generation").GetString(), Is.EqualTo(_registry.Generation.ToString()));
        Assert.That(overview.GetProperty("now").GetString(), Is.EqualTo("2025-09-10T17:00:00+05:00"));
        JsonElement records = overview.GetProperty("records");
        Assert.That((records.GetProperty("white").GetInt64(), records.GetProperty("grey").GetInt64(), records.GetProperty("black").GetInt64(),
            records.GetProperty("paired").GetInt64()), Is.EqualTo((1L, 2L, 1L, 1L)));

        JsonElement changes = overview.GetProperty("changesPerDay");
        Assert.That(changes.GetArrayLength(), Is.EqualTo(14));
        Assert.That(changes[0].GetProperty("day").GetString(), Is.EqualTo("2025-08-28"), "oldest first");
        Assert.That(changes[13].GetProperty("day").GetString(), Is.EqualTo("2025-09-10"), "today last");
        Dictionary<string, long> perDay = Days(changes, "changes");
        Assert.That(perDay["2025-09-08"], Is.EqualTo(5), "local day, not UTC's 09-07");
        Assert.That(perDay["2025-09-07"], Is.Zero);
        Assert.That(perDay["2025-09-10"], Is.EqualTo(2));
        Assert.That(perDay.Values.Sum(), Is.EqualTo(7));

        JsonElement grey = overview.GetProperty("greyExpiring");
        Assert.That(grey.EnumerateArray().Select(e => e.GetProperty("day").GetString()),
            Is.EqualTo(new[] { "2025-09-10", "2025-09-11", "2025-09-12", "2025-09-13", "2025-09-14", "2025-09-15", "2025-09-16" }));
        Assert.That(grey.EnumerateArray().Select(e => e.GetProperty("devices").GetInt64()), Is.EqualTo(new long[] { 0, 0, 1, 0, 0, 0, 0 }),
            "the grey device due 09-30 is beyond the 7 days");
        Assert.That(overview.GetProperty("followers").GetArrayLength(), Is.Zero);
    }

    [Test]
    public async Task Sightings_received_and_first_sightings_since_the_start_and_suspected_clones_are_shown()
    {
        await TestData.PushCsvAsync(_registry, $"imei,list,reason\n{TestData.Text(9)},white,verified\n");
        await StartAsync();
        uint seen = (uint)FirstPush.ToUnixTimeSeconds();
        Sighting At(long serial, string imsi, SightingKind kind)
        {
            Assert.That(PackedImsi.TryPack(imsi.AsSpan(), out PackedImsi packed), Is.True);
            return new Sighting(TestData.Imei(serial).Key, packed, seen, kind);
        }
        // Two unknown IMEIs first seen, one known one: three received, two first sightings. Then IMEI 9 on three
        // home IMSIs: a suspected clone.
        await _intake.RecordAsync([At(1, "401011000000001", SightingKind.FirstSeen), At(2, "401011000000002", SightingKind.FirstSeen),
            At(9, "401011000000003", SightingKind.FirstSeen)], "node-a", CancellationToken.None);
        await _intake.RecordAsync([At(9, "401011000000004", SightingKind.HomeAttach), At(9, "401011000000005", SightingKind.HomeAttach)],
            "node-b", CancellationToken.None);

        JsonElement overview = await OverviewAsync();

        JsonElement sightings = overview.GetProperty("sightings");
        Assert.That(sightings.GetProperty("received").GetInt64(), Is.EqualTo(5));
        Assert.That(sightings.GetProperty("firstSightings").GetInt64(), Is.EqualTo(2));
        Assert.That(sightings.GetProperty("since").GetString(), Is.EqualTo("2025-09-08T01:00:00+05:00"));
        Assert.That(overview.GetProperty("clones").GetProperty("suspected").GetInt64(), Is.EqualTo(1));
        Assert.That(overview.GetProperty("records").GetProperty("grey").GetInt64(), Is.EqualTo(2));
    }

    [Test]
    public async Task A_following_node_is_listed_with_its_position_lag_and_connection_and_stays_listed_once_gone()
    {
        await TestData.PushCsvAsync(_registry, $"imei,list,reason\n{TestData.Text(1)},white,verified\n{TestData.Text(2)},white,verified\n");
        HttpClient http = await StartAsync();
        string node = AddCredential("eir-north", CredentialRole.Node);

        using var feedRequest = new HttpRequestMessage(HttpMethod.Get, "/v1/feed?after=1");
        feedRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", node);
        HttpResponseMessage feed = await http.SendAsync(feedRequest, HttpCompletionOption.ResponseHeadersRead);
        Assert.That(feed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await TestData.PushCsvAsync(_registry, $"imei,list,reason\n{TestData.Text(3)},black,stolen\n");

        JsonElement row = default;
        await Eventually.UntilAsync(async () =>
        {
            JsonElement[] rows = [.. (await OverviewAsync()).GetProperty("followers").EnumerateArray()];
            row = rows.Length == 1 ? rows[0] : default;
            return rows.Length == 1 && row.GetProperty("sentSequence").GetInt64() == 3;
        }, TimeSpan.FromSeconds(20), "the feed to send change 3 to the follower");
        Assert.That(row.GetProperty("name").GetString(), Is.EqualTo("eir-north"));
        Assert.That(row.GetProperty("address").GetString(), Is.EqualTo("127.0.0.1"));
        Assert.That(row.GetProperty("afterSequence").GetInt64(), Is.EqualTo(1));
        Assert.That(row.GetProperty("lag").GetInt64(), Is.Zero);
        Assert.That(row.GetProperty("connected").GetBoolean(), Is.True);
        Assert.That(row.GetProperty("lastSeen").GetString(), Does.EndWith("+05:00"));

        feed.Dispose(); // the node goes
        await TestData.PushCsvAsync(_registry, $"imei,list,reason\n{TestData.Text(4)},black,stolen\n");
        await Eventually.UntilAsync(async () =>
        {
            JsonElement[] rows = [.. (await OverviewAsync()).GetProperty("followers").EnumerateArray()];
            row = rows.Length == 1 ? rows[0] : default;
            return rows.Length == 1 && !row.GetProperty("connected").GetBoolean();
        }, TimeSpan.FromSeconds(20), "the follower to be shown disconnected");
        Assert.That(row.GetProperty("sentSequence").GetInt64(), Is.EqualTo(3));
        Assert.That(row.GetProperty("lag").GetInt64(), Is.EqualTo(1), "the registry is at 4, the node got 3");
    }

    [Test]
    public async Task The_default_reader_token_follows_as_node_token_and_a_day_later_a_gone_follower_is_dropped()
    {
        HttpClient http = await StartAsync();
        using (var feedRequest = new HttpRequestMessage(HttpMethod.Get, "/v1/feed?after=0"))
        {
            feedRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestData.ReaderToken);
            using HttpResponseMessage feed = await http.SendAsync(feedRequest, HttpCompletionOption.ResponseHeadersRead);
            Assert.That(feed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            JsonElement[] rows = [.. (await OverviewAsync()).GetProperty("followers").EnumerateArray()];
            Assert.That(rows.Select(r => r.GetProperty("name").GetString()), Is.EqualTo(new[] { FeedFollowers.DefaultTokenName }));
        }
        await Eventually.UntilAsync(async () => !(await OverviewAsync()).GetProperty("followers")[0].GetProperty("connected").GetBoolean(),
            TimeSpan.FromSeconds(20), "the follower to be shown disconnected");

        _time.Advance(FeedFollowers.ForgetAfter + TimeSpan.FromSeconds(1));
        Assert.That((await OverviewAsync()).GetProperty("followers").GetArrayLength(), Is.Zero);
    }

    [Test]
    public async Task Without_a_reader_credential_the_overview_is_refused()
    {
        HttpClient http = await StartAsync();
        using HttpResponseMessage anonymous = await http.GetAsync("/v1/overview");
        Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        string node = AddCredential("eir-north", CredentialRole.Node);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/overview");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", node);
        using HttpResponseMessage asNode = await http.SendAsync(request);
        Assert.That(asNode.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "a node follows the feed; it does not read");
    }

    /// <summary>Adds a credential to the registry's tokens file as eirctl token add does; returns its token.</summary>
    private string AddCredential(string name, CredentialRole role)
    {
        string path = Path.Combine(_registry.Directory, CredentialsFile.FileName);
        List<Credential> credentials = File.Exists(path) ? [.. CredentialsFile.Parse(path, File.ReadAllText(path))] : [];
        string token = CredentialsFile.NewToken();
        credentials.Add(new Credential(name, role, CredentialsFile.HashToken(token), DateTimeOffset.UtcNow));
        CredentialsFile.Write(path, credentials);
        return token;
    }
}
