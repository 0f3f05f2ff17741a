using System.Net;
using System.Text.Json;

namespace ImeiEir.Server.Tests.Lifecycle;

/// <summary>
/// Template sets end to end: a subscriber of home network 401-07, mapped to the shipped altel set, attaching an
/// unknown device over Diameter gets the altel grey start (with the configured commitments URL) and then the IMEI help
/// at real Kannel's fake SMSC, while a 401-01 subscriber keeps the default tele2 texts (GreyStartSmsTests).
/// </summary>
[TestFixture, NonParallelizable]
public sealed class TemplateSetSmsTests
{
    private const string AltelImsi = "401077000000001", AltelMsisdn = "77077000001";
    private const string Url = "https://example.kz/obligations";
    private const uint Success = 2001;
    private const int Grey = 2;

    private SmsServer _sms = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _sms = await SmsServer.StartAsync("template-sms",
        "--Notify:NetworkTemplateSets:40107=altel", $"--Notify:CommitmentsUrls:altel={Url}");

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_sms is not null) await _sms.DisposeAsync();
    }

    [Test, CancelAfter(60_000)]
    public async Task A_home_network_mapped_to_altel_gets_the_altel_grey_start_then_the_imei_help()
    {
        (HttpStatusCode status, string body) = await _sms.AdminAsync(HttpMethod.Post, "v1/subscribers",
            $"{AltelImsi},{AltelMsisdn},{SmsServer.Iin},ru\n");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body);
        string imei = Luhn.With("35000042000001");
        using (var mme = new S13Client(_sms.Diameter))
            Assert.That(mme.Check(imei[..14], AltelImsi), Is.EqualTo((Success, 0u, Grey)));

        // Day 0 is 2026-03-02 08:00 in Almaty: 30 days of grey access end on 01.04.2026.
        await InProcessHost.EventuallyAsync(() => Task.FromResult(_sms.Kannel.ReceivedBy(AltelMsisdn).Count >= 2), seconds: 20);
        Assert.That(_sms.Kannel.ReceivedBy(AltelMsisdn).Select(m => m.Text), Is.EquivalentTo(new[]
        {
            $"Выключите и включите устройство, чтобы все работало корректно. Вам предоставлен ВРЕМЕННЫЙ доступ к услугам связи до 01.04.2026. В связи с введением новых требований пунктов 12-1, 12-2 и 12-3 Правил регистрации абонентских устройств сотовой связи из-за отсутствия сведений о законности использования вашего устройства (IMEI {imei}). Подробнее: http://kz-imei.kz/ Продолжая пользоваться связью, вы соглашаетесь с условиями: {Url}",
            "Чтобы узнать IMEI-код устройства, наберите команду *#06#. Если устройство новое, то его IMEI можно найти на коробке, на крышке или под крышкой устройства.",
        }));
    }

    [Test, CancelAfter(60_000)]
    public async Task An_altel_SIM_first_in_a_white_device_gets_the_status_help_once()
    {
        const string imsi = "401077000000002", msisdn = "77077000002";
        (HttpStatusCode status, string body) = await _sms.AdminAsync(HttpMethod.Post, "v1/subscribers", $"{imsi},{msisdn},{SmsServer.Iin},ru\n");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body);
        string imei = Luhn.With("35000042000028");
        (status, body) = await _sms.AdminAsync(HttpMethod.Post, "v1/deltas", $"op,imei,list,reason\nset,{imei[..14]},white,verified\n");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body);

        // The node follows the registry's feed; the lookup (no side effects, unlike an attach of a device still
        // unknown there) says when the white record has arrived.
        using var http = new HttpClient { BaseAddress = _sms.Server.Http, Timeout = TimeSpan.FromSeconds(10) };
        await InProcessHost.EventuallyAsync(async () => (await http.GetStringAsync($"v1/imei/{imei}")).Contains("\"WHITELISTED\"", StringComparison.Ordinal), seconds: 20);
        using (var mme = new S13Client(_sms.Diameter))
        {
            Assert.That(mme.Check(imei[..14], imsi), Is.EqualTo((Success, 0u, 0)), "white");
            Assert.That(mme.Check(imei[..14], imsi), Is.EqualTo((Success, 0u, 0)), "white, again");
        }

        await InProcessHost.EventuallyAsync(() => Task.FromResult(_sms.Kannel.ReceivedBy(msisdn).Count >= 1), seconds: 20);
        Assert.That(_sms.Kannel.ReceivedBy(msisdn).Select(m => m.Text), Is.EqualTo(new[]
        {
            "Проверить статус IMEI-кода и самостоятельно верифицировать устройство можно в госбазе: https://kz-imei.kz. Чтобы узнать IMEI-код устройства, наберите команду *#06#. Если устройство новое, то его IMEI можно найти на коробке или крышке устройства.",
        }));
        List<JsonElement> notices = await _sms.NoticesAsync(imei);
        Assert.That(notices.Select(n => n.GetProperty("kind").GetString()), Is.EqualTo(new[] { "status-help" }), "one notice for the pair, however often it attaches");
    }
}
