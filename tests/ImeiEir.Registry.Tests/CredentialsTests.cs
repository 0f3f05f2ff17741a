using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ImeiEir.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Registry.Tests;

/// <summary>Named credentials (Registry:TokensFile) and who-changed-what, through a real Kestrel on 127.0.0.1.</summary>
public class CredentialsTests
{
    private Lifecycle _life = null!;
    private RegistryApiHost _host = null!;
    private HttpClient _http = null!;

    private string TokensPath => Path.Combine(_life.Registry.Directory, CredentialsFile.FileName);

    [SetUp]
    public async Task SetUp()
    {
        _life = await Lifecycle.OpenAsync();
        _host = await RegistryApiHost.StartAsync(_life.Registry, _life.Intake);
        _http = _host.Http;
    }

    [TearDown]
    public async Task TearDown()
    {
        await _host.DisposeAsync();
        await _life.DisposeAsync();
    }

    /// <summary>Adds a credential to the tokens file as eirctl token add does, and returns its token.</summary>
    private string Add(string name, CredentialRole role) => TestCredentials.Add(TokensPath, name, role);

    private Task<HttpResponseMessage> PushAsync(string token, string csv, string? comment = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/deltas") { Content = new StringContent(csv, Encoding.UTF8, "text/csv") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (comment is not null) request.Headers.Add("ImeiEir-Comment", Uri.EscapeDataString(comment));
        return _http.SendAsync(request);
    }

    private async Task<HttpStatusCode> GetStatusAsync(string token, string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return response.StatusCode;
    }

    private async Task<JsonElement[]> HistoryAsync(long serial)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/imei/{TestData.Text(serial)}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestData.ReaderToken);
        using HttpResponseMessage response = await _http.SendAsync(request);
        string body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        return JsonDocument.Parse(body).RootElement.GetProperty("history").EnumerateArray().Select(e => e.Clone()).ToArray();
    }

    private static string Black(long serial) => $"imei,list,reason\n{TestData.Text(serial)},black,stolen\n";

    [Test]
    public async Task A_named_admin_pushes_and_is_refused_from_the_next_request_once_revoked_without_a_restart()
    {
        string token = Add("police-1", CredentialRole.Admin);
        using (HttpResponseMessage first = await PushAsync(token, Black(1)))
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK), await first.Content.ReadAsStringAsync());

        CredentialsFile.Write(TokensPath, []);   // what eirctl token revoke police-1 leaves

        using HttpResponseMessage second = await PushAsync(token, Black(2));
        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(_life.Registry.LastSequence, Is.EqualTo(1UL), "the revoked credential wrote nothing");
    }

    [Test]
    public async Task A_reader_reads_but_cannot_push_and_a_node_follows_the_feed_but_cannot_push_or_read_histories()
    {
        string reader = Add("auditor", CredentialRole.Reader);
        string node = Add("eir-north", CredentialRole.Node);
        using (HttpResponseMessage seed = await PushAsync(TestData.AdminToken, Black(1)))
            Assert.That(seed.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        using (HttpResponseMessage push = await PushAsync(reader, Black(2)))
            Assert.That(push.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "a reader cannot push");
        Assert.That(await GetStatusAsync(reader, $"/v1/imei/{TestData.Text(1)}"), Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await GetStatusAsync(reader, "/v1/snapshot"), Is.EqualTo(HttpStatusCode.OK));

        using (HttpResponseMessage push = await PushAsync(node, Black(3)))
            Assert.That(push.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "a node cannot push");
        Assert.That(await GetStatusAsync(node, "/v1/feed?after=0"), Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await GetStatusAsync(node, "/v1/snapshot"), Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await GetStatusAsync(node, $"/v1/imei/{TestData.Text(1)}"), Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await GetStatusAsync(node, "/v1/backup"), Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(_life.Registry.LastSequence, Is.EqualTo(1UL));

        // The generated defaults keep what they had.
        Assert.That(await GetStatusAsync(TestData.ReaderToken, "/v1/feed?after=0"), Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await GetStatusAsync(TestData.ReaderToken, $"/v1/imei/{TestData.Text(1)}"), Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_malformed_tokens_file_on_reload_keeps_the_last_good_set()
    {
        string token = Add("police-1", CredentialRole.Admin);
        using (HttpResponseMessage first = await PushAsync(token, Black(1)))
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        File.WriteAllText(TokensPath, "police-1 admin not-a-hash 2026-01-01T00:00:00Z\n");
        using HttpResponseMessage second = await PushAsync(token, Black(2));
        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the last good set stays in force");
    }

    [Test]
    public async Task History_shows_the_actor_and_comment_of_a_push_a_sighting_and_an_expiry()
    {
        string token = Add("police-1", CredentialRole.Admin);
        using (HttpResponseMessage push = await PushAsync(token, Black(1), "police report 77/2026 – Zürich"))
            Assert.That(push.StatusCode, Is.EqualTo(HttpStatusCode.OK), await push.Content.ReadAsStringAsync());
        await _life.SeeFromAsync("eir-north", Lifecycle.Sighting(2, Lifecycle.Day0.AddDays(-1)));
        GreyExpiry expiry = await _life.StartExpiryAsync();
        _life.Time.AdjustTime(Lifecycle.FromUnix(Lifecycle.DeadlineOf(Lifecycle.Day0.AddDays(-1))));
        Assert.That(await expiry.ExpireDueAsync(CancellationToken.None), Is.EqualTo(1));

        JsonElement pushed = (await HistoryAsync(1)).Single();
        Assert.That(pushed.GetProperty("actor").GetString(), Is.EqualTo("police-1"));
        Assert.That(pushed.GetProperty("comment").GetString(), Is.EqualTo("police report 77/2026 – Zürich"));
        JsonElement[] grey = await HistoryAsync(2);
        Assert.That(grey.Select(e => e.GetProperty("actor").GetString()), Is.EqualTo(new[] { "eir-north", "lifecycle" }));
        Assert.That(grey.Select(e => e.GetProperty("comment").ValueKind), Is.All.EqualTo(JsonValueKind.Null));

        // Recorded durably: the same after a restart.
        await _life.ReopenAsync();
        Assert.That(_life.Registry.GetAttribution((await TestData.ReadAllAsync(_life.Registry))[0]),
            Is.EqualTo(("police-1", (string?)"police report 77/2026 – Zürich")));
    }

    [Test]
    public async Task A_default_token_push_is_by_admin_and_a_log_without_attributions_still_reads()
    {
        using (HttpResponseMessage push = await PushAsync(TestData.AdminToken, Black(1)))
            Assert.That(push.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await HistoryAsync(1)).Single().GetProperty("actor").GetString(), Is.EqualTo("admin"));

        // A registry written before attributions were recorded has only its change log.
        File.Delete(Path.Combine(_life.Registry.Directory, AttributionLog.FileName));
        await _life.ReopenAsync();
        List<Change> changes = await TestData.ReadAllAsync(_life.Registry);
        Assert.That(changes, Has.Count.EqualTo(1));
        Assert.That(_life.Registry.GetAttribution(changes[0]), Is.EqualTo(("admin", (string?)null)));
    }

    [TestCase("police-1 admin", "line 2: expected 4 fields")]
    [TestCase("police-1 owner 0000000000000000000000000000000000000000000000000000000000000000 2026-01-01T00:00:00Z", "line 2: role 'owner'")]
    [TestCase("police-1 admin 00ff 2026-01-01T00:00:00Z", "line 2: the token hash must be 64 hex digits")]
    [TestCase("admin admin 0000000000000000000000000000000000000000000000000000000000000000 2026-01-01T00:00:00Z", "line 2: the name admin is reserved")]
    [TestCase("po/lice admin 0000000000000000000000000000000000000000000000000000000000000000 2026-01-01T00:00:00Z", "line 2: 'po/lice' is not a credential name")]
    [TestCase("police-1 admin 0000000000000000000000000000000000000000000000000000000000000000 yesterday", "line 2: 'yesterday' is not a creation time")]
    public void A_malformed_tokens_file_is_refused_naming_the_file_and_line(string line, string expected)
    {
        var error = Assert.Throws<InvalidDataException>(() => CredentialsFile.Parse("/x/tokens", "# comment\n" + line + "\n"));
        Assert.That(error!.Message, Does.StartWith("/x/tokens " + expected));
    }

    [Test]
    public void A_name_twice_is_refused()
    {
        string entry = "police-1 admin 0000000000000000000000000000000000000000000000000000000000000000 2026-01-01T00:00:00Z\n";
        var error = Assert.Throws<InvalidDataException>(() => CredentialsFile.Parse("/x/tokens", entry + entry));
        Assert.That(error!.Message, Is.EqualTo("/x/tokens line 2: the name police-1 appears twice"));
    }

    [Test]
    public async Task A_malformed_tokens_file_stops_the_start()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(Path.Combine(dir.Path, CredentialsFile.FileName), "police-1 admin\n");
        var error = Assert.ThrowsAsync<TokensFileException>(() => TestData.OpenAsync(dir.Path));
        Assert.That(error!.Message, Does.Contain("tokens line 1"));
        await Task.CompletedTask;
    }

    [Test]
    public async Task A_backup_carries_actors_and_comments_and_a_version_1_backup_still_restores()
    {
        string token = Add("police-1", CredentialRole.Admin);
        using (HttpResponseMessage push = await PushAsync(token, Black(1), "police report 77/2026"))
            Assert.That(push.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await _life.SeeFromAsync("eir-north", Lifecycle.Sighting(2, Lifecycle.Day0.AddDays(-1)));
        var backup = new MemoryStream();
        ulong sequence = await _life.Registry.WriteBackupAsync(backup, null, CancellationToken.None);
        byte[] version2 = backup.ToArray();

        using var restoredDir = new TempDirectory();
        string file = Path.Combine(restoredDir.Path, "backup");
        File.WriteAllBytes(file, version2);
        string target = Path.Combine(restoredDir.Path, "v2");
        await RegistryRestore.RestoreAsync(file, TestData.Options(), target, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, CancellationToken.None);
        await using (RegistryService restored = await TestData.OpenAsync(target))
        {
            List<Change> changes = await TestData.ReadAllAsync(restored);
            Assert.That(changes.Select(c => restored.GetAttribution(c)),
                Is.EqualTo(new[] { ("police-1", (string?)"police report 77/2026"), ("eir-north", null) }));
        }

        // Version 1: the 44-byte header, the changes and the trailer, as backups were written before attributions.
        Assert.That(BackupFormat.TryReadHeader(version2, out BackupFormat.Header header), Is.True);
        byte[] version1 = [.. version2.AsSpan(0, BackupFormat.Version1HeaderSize),
            .. version2.AsSpan(BackupFormat.HeaderSize, (int)sequence * BackupFormat.ChangeSize),
            .. version2.AsSpan(version2.Length - BackupFormat.TrailerSize)];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(version1.AsSpan(8), 1);
        Assert.That(header.AttributionBytes, Is.GreaterThan(0));
        File.WriteAllBytes(file, version1);
        target = Path.Combine(restoredDir.Path, "v1");
        await RegistryRestore.RestoreAsync(file, TestData.Options(), target, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, CancellationToken.None);
        await using (RegistryService restored = await TestData.OpenAsync(target))
        {
            List<Change> changes = await TestData.ReadAllAsync(restored);
            Assert.That(changes.Select(c => restored.GetAttribution(c)), Is.EqualTo(new[] { ("admin", (string?)null), ("node", null) }));
        }
    }

    [TestCase("%0Aline two", "control character")]
    [TestCase("%FF%FE", "not percent-encoded UTF-8")]
    public async Task A_bad_comment_is_400_and_nothing_is_written(string encoded, string expected)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/deltas") { Content = new StringContent(Black(1), Encoding.UTF8, "text/csv") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestData.AdminToken);
        request.Headers.Add("ImeiEir-Comment", encoded);
        using HttpResponseMessage response = await _http.SendAsync(request);
        string body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), body);
        Assert.That(body, Does.Contain(expected));
        Assert.That(_life.Registry.LastSequence, Is.Zero);
    }

    [Test]
    public void An_attribution_whose_commit_never_happened_is_ignored_and_a_later_one_for_the_same_numbers_wins()
    {
        using var dir = new TempDirectory();
        using (AttributionLog log = AttributionLog.Open(dir.Path, lastSequence: 0))
        {
            log.Append(1, 2, new Attribution("police-1", "report 1"));
            log.Append(3, 4, new Attribution("never-committed", null));   // its commit failed
            log.Append(3, 3, new Attribution("police-2", null));           // the retry reuses number 3
            Assert.That(log.Find(3), Is.EqualTo(new Attribution("police-2", null)));
            log.Append(5, 5, new Attribution("crashed-before-commit", null));
        }
        using (AttributionLog reopened = AttributionLog.Open(dir.Path, lastSequence: 4))
        {
            Assert.That(reopened.Find(2), Is.EqualTo(new Attribution("police-1", "report 1")));
            Assert.That(reopened.Find(3), Is.EqualTo(new Attribution("police-2", null)));
            Assert.That(reopened.Find(4), Is.Null, "4 was only in the batch that never committed");
            Assert.That(reopened.Find(5), Is.Null, "5 is past the log's end");
        }
    }
}
