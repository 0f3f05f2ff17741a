using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ImeiEir.Notify.Tests.Kannel;
using Microsoft.Extensions.Time.Testing;

namespace ImeiEir.Server.Tests.Lifecycle;

/// <summary>
/// An unknown device attaching over Diameter to an all-in-one server ends as the grey-start SMS at real Kannel's fake
/// SMSC: the node's sighting, the registry's deadline, the trigger, the outbox and the sendsms call, end to end.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class GreyStartSmsTests
{
    private const string AdminToken = "admin-token-for-grey-start-sms";
    private const string RuImsi = "401011234567890", RuMsisdn = "77011234567";
    private const string KkImsi = "401019876543210", KkMsisdn = "77027654321";
    private const string UnlistedImsi = "401010000000099";
    private const string Iin = "900101300123";
    private const uint Success = 2001;
    private const int Grey = 2;

    private string _root = null!;
    private KannelGateway _kannel = null!;
    private InProcessHost _server = null!;
    private int _registryPort;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(20) };

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _root = Path.Combine(Path.GetTempPath(), "imeieir-grey-sms-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(_root, "kannel"));
        _kannel = KannelGateway.Start(Path.Combine(_root, "kannel"));
        _registryPort = InProcessHost.FreePort();
        _server = await InProcessHost.StartAsync(new FakeTimeProvider(Cluster.Day0),
            "--Mode=all-in-one", $"--DataDir={Path.Combine(_root, "server")}", "--Diameter:Port=0", "--Http:Port=0",
            "--Registry:Host=127.0.0.1", $"--Registry:Port={_registryPort}", $"--Registry:AdminToken={AdminToken}",
            "--Store:LoadDemoLists=false", "--Sightings:FlushInterval=00:00:00.02",
            $"--Notify:SendSmsUrl={_kannel.SendSmsUrl}", $"--Notify:Username={KannelGateway.User}",
            $"--Notify:Password={KannelGateway.Password}", "--Notify:From=1414", "--Notify:RatePerSecond=50",
            "--Notify:InitialBackoff=00:00:00.1", "--Notify:MaxBackoff=00:00:00.4");
        (HttpStatusCode status, string body) = await AdminAsync(HttpMethod.Post, "v1/subscribers",
            $"imsi,msisdn,iin,language\n{RuImsi},{RuMsisdn},{Iin},ru\n{KkImsi},{KkMsisdn},{Iin},kk\n");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
        _kannel?.Dispose();
        _http.Dispose();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private async Task<(HttpStatusCode Status, string Body)> AdminAsync(HttpMethod method, string path, string? csv = null)
    {
        using var request = new HttpRequestMessage(method, new Uri($"http://127.0.0.1:{_registryPort}/{path}"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        if (csv is not null) request.Content = new StringContent(csv, Encoding.UTF8, "text/csv");
        using HttpResponseMessage response = await _http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task<List<ReceivedSms>> SmsAboutAsync(string msisdn, string imei15)
    {
        await InProcessHost.EventuallyAsync(() => Task.FromResult(_kannel.ReceivedBy(msisdn).Any(m => m.Text.Contains(imei15))), seconds: 20);
        return [.. _kannel.ReceivedBy(msisdn).Where(m => m.Text.Contains(imei15))];
    }

    [Test, CancelAfter(60_000)]
    public async Task An_unknown_device_attaching_gets_its_subscriber_the_grey_start_sms_with_the_deadline_in_their_language()
    {
        string ruImei = Luhn.With("35000041000001"), kkImei = Luhn.With("35000041000002");
        using (var mme = new S13Client(_server.Diameter))
        {
            Assert.That(mme.Check(ruImei[..14], RuImsi), Is.EqualTo((Success, 0u, Grey)));
            Assert.That(mme.Check(kkImei[..14], KkImsi), Is.EqualTo((Success, 0u, Grey)));
        }

        // Day 0 is 2026-03-02 08:00 in Almaty: 30 days of grey access end on 01.04.2026.
        List<ReceivedSms> ru = await SmsAboutAsync(RuMsisdn, ruImei);
        List<ReceivedSms> kk = await SmsAboutAsync(KkMsisdn, kkImei);
        Assert.Multiple(() =>
        {
            Assert.That(ru.Select(m => m.Text), Is.EqualTo(new[]
            {
                $"Перезагрузите устройство, чтобы всё работало корректно. Ваше устройство с {ruImei} не верифицировано и внесено в «серый список» государственной базы данных идентификационных кодов. Вам предоставлен временный доступ к сети до 01.04.2026 по данным: IMEI {ruImei}, номер {RuMsisdn}, ИИН {Iin}.\nЧтобы получить полный доступ, пройдите верификацию устройства в госбазе: http://kz-imei.kz/",
            }), "exactly one Russian grey-start SMS");
            Assert.That(kk.Select(m => m.Text), Is.EqualTo(new[]
            {
                $"Құрылғы дұрыс жұмыс істеуі үшін оны қайта жүктеу керек. {kkImei} деген IMEI-коды бар құрылғыңыз сәйкестендіруден өтпеген және мемлекеттік сәйкестендіру кодтарының дерекқорында «сұр тізімге» енген. 01.04.2026 дейін IMEI {kkImei}, нөмір {KkMsisdn}, ЖСН {Iin} дерегі бойынша желіні уақытша пайдалануға рұқсат берілді.\nБайланысты толық пайдалану үшін мемлекеттік базада құрылғыңызды сәйкестендіріңіз: http://kz-imei.kz/",
            }), "exactly one Kazakh grey-start SMS");
            Assert.That(ru.Single().From, Is.EqualTo("1414"));
        });
    }

    [Test, CancelAfter(60_000)]
    public async Task A_subscriber_missing_from_the_directory_has_the_notice_parked_not_dropped()
    {
        string imei = Luhn.With("35000041000003");
        using (var mme = new S13Client(_server.Diameter))
            Assert.That(mme.Check(imei[..14], UnlistedImsi), Is.EqualTo((Success, 0u, Grey)));

        JsonElement notice = default;
        bool parked = await InProcessHost.EventuallyAsync(async () =>
        {
            (HttpStatusCode status, string body) = await AdminAsync(HttpMethod.Get, $"v1/notices?imei={imei}");
            if (status != HttpStatusCode.OK) return false;
            JsonElement notices = JsonDocument.Parse(body).RootElement.GetProperty("notices");
            if (notices.GetArrayLength() != 1) return false;
            notice = notices[0];
            return true;
        });
        Assert.That(parked, Is.True, "no notice was recorded for the unlisted subscriber");
        Assert.That(notice.GetProperty("kind").GetString(), Is.EqualTo("grey-start"));
        Assert.That(notice.GetProperty("state").GetString(), Is.EqualTo("parked"));
        Assert.That(notice.GetProperty("imsi").GetString(), Is.EqualTo(UnlistedImsi));
    }
}
