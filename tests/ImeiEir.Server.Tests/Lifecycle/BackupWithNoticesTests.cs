using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ImeiEir.Notify.Tests.Kannel;
using Microsoft.Extensions.Time.Testing;

namespace ImeiEir.Server.Tests.Lifecycle;

/// <summary>
/// A backup of an all-in-one server holds what a restore cannot rebuild from the change log: the notices (keys,
/// states, texts), the subscriber directory and the TAC database. Restored, the new server neither loses a notice nor
/// sends one twice (real Kannel, as the other SMS tests).
/// </summary>
[TestFixture, NonParallelizable]
public sealed class BackupWithNoticesTests
{
    private const string UnlistedImsi = "401010000000077", UnlistedMsisdn = "77015550077";
    private const uint Success = 2001;
    private const int Grey = 2;
    private const string TacCsv = "tac,manufacturer,model,device_type\n35000051,Acme,Phone 1,Smartphone\n35000052,Acme,Module 2,Module\n";

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };
    private SmsServer _sms = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _sms = await SmsServer.StartAsync("backup-sms");

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_sms is not null) await _sms.DisposeAsync();
        _http.Dispose();
    }

    [Test, CancelAfter(180_000)]
    public async Task A_backup_under_pushes_restores_notices_with_their_keys_and_states_and_the_TAC_database_and_sends_no_notice_twice()
    {
        (HttpStatusCode tacStatus, string tacBody) = await _sms.AdminAsync(HttpMethod.Put, "v1/tac", TacCsv);
        Assert.That(tacStatus, Is.EqualTo(HttpStatusCode.OK), tacBody);
        string sentImei = Luhn.With("35000051000001"), parkedImei = Luhn.With("35000051000002");
        using (var mme = new S13Client(_sms.Diameter))
        {
            Assert.That(mme.Check(sentImei[..14], SmsServer.RuImsi), Is.EqualTo((Success, 0u, Grey)));
            Assert.That(mme.Check(parkedImei[..14], UnlistedImsi), Is.EqualTo((Success, 0u, Grey)));
        }
        Assert.That(await _sms.SmsAboutAsync(SmsServer.RuMsisdn, sentImei), Has.Count.EqualTo(1));
        Assert.That(await InProcessHost.EventuallyAsync(async () => (await _sms.NoticesAsync(parkedImei)).Count == 1), Is.True, "the parked notice");

        // The backup is taken while pushes go on: bounded in count and in time.
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        int pushed = 0;
        Task pushes = Task.Run(async () =>
        {
            for (int round = 0; round < 200 && !stop.IsCancellationRequested; round++)
            {
                string csv = "imei,list,reason\n" + string.Concat(Enumerable.Range(0, 50).Select(i => $"{Luhn.With($"3500006{round % 10}{i:D6}")},black,stolen\n"));
                (HttpStatusCode status, string body) = await _sms.AdminAsync(HttpMethod.Post, "v1/deltas", csv);
                Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body);
                Interlocked.Increment(ref pushed);
            }
        });
        while (Volatile.Read(ref pushed) < 3 && !pushes.IsCompleted) await Task.Delay(10);
        string root = Path.Combine(Path.GetTempPath(), "imeieir-backup-restore-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        string file = Path.Combine(root, "registry.backup");
        try
        {
            await File.WriteAllBytesAsync(file, await AdminBytesAsync(_sms.RegistryUrl, SmsServer.AdminToken, "v1/backup"));
            await stop.CancelAsync();
            await pushes;
            List<(string, string, string)> before = Keyed(await _sms.NoticesAsync(sentImei)).Concat(Keyed(await _sms.NoticesAsync(parkedImei))).ToList();
            Assert.That(before.Select(n => n.Item3), Is.EquivalentTo(new[] { "sent", "parked" }).Or.EquivalentTo(new[] { "delivered", "parked" }));

            int registryPort = InProcessHost.FreePort();
            await using InProcessHost restored = await InProcessHost.StartAsync(new FakeTimeProvider(Cluster.Day0), [
                "--Mode=all-in-one", $"--DataDir={Path.Combine(root, "restored")}", $"--Registry:RestoreFrom={file}",
                "--Diameter:Port=0", "--Http:Port=0", "--Registry:Host=127.0.0.1", $"--Registry:Port={registryPort}",
                $"--Registry:AdminToken={SmsServer.AdminToken}", "--Registry:LoadDemoLists=false",
                $"--Notify:SendSmsUrl={_sms.Kannel.SendSmsUrl}", $"--Notify:Username={KannelGateway.User}",
                $"--Notify:Password={KannelGateway.Password}", "--Notify:From=1414", "--Notify:RatePerSecond=50",
                "--Notify:InitialBackoff=00:00:00.1", "--Notify:MaxBackoff=00:00:00.4",
                // The notices are dated on the fake regime clock (March 2026), the outbox prunes at open by the
                // machine's: keep them, or the sent one would be dropped as a final notice past the default 35 days.
                "--Notify:RetainDays=3660"]);
            var restoredRegistry = new Uri($"http://127.0.0.1:{registryPort}/");

            List<(string, string, string)> after = Keyed(await NoticesAsync(restoredRegistry, sentImei)).Concat(Keyed(await NoticesAsync(restoredRegistry, parkedImei))).ToList();
            Assert.That(after, Is.EqualTo(before), "every notice with its key and state");
            (string etag, string document) tacBefore = await TacAsync(_sms.RegistryUrl), tacAfter = await TacAsync(restoredRegistry);
            Assert.That(tacAfter, Is.EqualTo(tacBefore), "the TAC database, under the same version");

            // The restored sender runs: the parked notice goes out once its subscriber is known. The grey-start SMS
            // sent before the backup is not sent again (the sender takes its queue in order, so it would have been first).
            string csv = $"imsi,msisdn,iin,language\n{UnlistedImsi},{UnlistedMsisdn},{SmsServer.Iin},ru\n";
            (HttpStatusCode status, string body) = await AdminAsync(restoredRegistry, HttpMethod.Post, "v1/subscribers", csv);
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body);
            Assert.That(await _sms.SmsAboutAsync(UnlistedMsisdn, parkedImei), Has.Count.EqualTo(1), "the parked notice, released after the restore");
            Assert.That(_sms.Texts(SmsServer.RuMsisdn, sentImei), Has.Count.EqualTo(1), "the notice sent before the backup is not sent again");
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }

    private static IEnumerable<(string Key, string Kind, string State)> Keyed(List<JsonElement> notices) =>
        notices.Select(n => (n.GetProperty("key").GetString()!, n.GetProperty("kind").GetString()!, n.GetProperty("state").GetString()!));

    private async Task<List<JsonElement>> NoticesAsync(Uri registry, string imei15)
    {
        (HttpStatusCode status, string body) = await AdminAsync(registry, HttpMethod.Get, $"v1/notices?imei={imei15}");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body);
        return [.. JsonDocument.Parse(body).RootElement.GetProperty("notices").EnumerateArray().Select(n => n.Clone())];
    }

    private async Task<(string ETag, string Document)> TacAsync(Uri registry)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(registry, "v1/tac"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", SmsServer.AdminToken);
        using HttpResponseMessage response = await _http.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        return (response.Headers.ETag?.Tag ?? "", await response.Content.ReadAsStringAsync());
    }

    private async Task<byte[]> AdminBytesAsync(Uri registry, string token, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(registry, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using HttpResponseMessage response = await _http.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        return await response.Content.ReadAsByteArrayAsync();
    }

    private async Task<(HttpStatusCode, string)> AdminAsync(Uri registry, HttpMethod method, string path, string? csv = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(registry, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", SmsServer.AdminToken);
        if (csv is not null) request.Content = new StringContent(csv, Encoding.UTF8, "text/csv");
        using HttpResponseMessage response = await _http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
