using System.Text.Json;

namespace ImeiEir.Server.Tests.Lifecycle;

/// <summary>
/// An unknown device attaching over Diameter to an all-in-one server ends as the grey-start SMS at real Kannel's fake
/// SMSC: the node's sighting, the registry's deadline, the trigger, the outbox and the sendsms call, end to end.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class GreyStartSmsTests
{
    private const string RuImsi = SmsServer.RuImsi, RuMsisdn = SmsServer.RuMsisdn;
    private const string KkImsi = SmsServer.KkImsi, KkMsisdn = SmsServer.KkMsisdn;
    private const string UnlistedImsi = "401010000000099";
    private const string Iin = SmsServer.Iin;
    private const uint Success = 2001;
    private const int Grey = 2;

    private SmsServer _sms = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _sms = await SmsServer.StartAsync("grey-sms");

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_sms is not null) await _sms.DisposeAsync();
    }

    [Test, CancelAfter(60_000)]
    public async Task An_unknown_device_attaching_gets_its_subscriber_the_grey_start_sms_with_the_deadline_in_their_language()
    {
        string ruImei = Luhn.With("35000041000001"), kkImei = Luhn.With("35000041000002");
        using (var mme = new S13Client(_sms.Diameter))
        {
            Assert.That(mme.Check(ruImei[..14], RuImsi), Is.EqualTo((Success, 0u, Grey)));
            Assert.That(mme.Check(kkImei[..14], KkImsi), Is.EqualTo((Success, 0u, Grey)));
        }

        // Day 0 is 2026-03-02 08:00 in Almaty: 30 days of grey access end on 01.04.2026.
        List<string> ru = await _sms.SmsAboutAsync(RuMsisdn, ruImei);
        List<string> kk = await _sms.SmsAboutAsync(KkMsisdn, kkImei);
        Assert.Multiple(() =>
        {
            Assert.That(ru, Is.EqualTo(new[]
            {
                $"Перезагрузите устройство, чтобы всё работало корректно. Ваше устройство с {ruImei} не верифицировано и внесено в «серый список» государственной базы данных идентификационных кодов. Вам предоставлен временный доступ к сети до 01.04.2026 по данным: IMEI {ruImei}, номер {RuMsisdn}, ИИН {Iin}.\nЧтобы получить полный доступ, пройдите верификацию устройства в госбазе: http://kz-imei.kz/",
            }), "exactly one Russian grey-start SMS");
            Assert.That(kk, Is.EqualTo(new[]
            {
                $"Құрылғы дұрыс жұмыс істеуі үшін оны қайта жүктеу керек. {kkImei} деген IMEI-коды бар құрылғыңыз сәйкестендіруден өтпеген және мемлекеттік сәйкестендіру кодтарының дерекқорында «сұр тізімге» енген. 01.04.2026 дейін IMEI {kkImei}, нөмір {KkMsisdn}, ЖСН {Iin} дерегі бойынша желіні уақытша пайдалануға рұқсат берілді.\nБайланысты толық пайдалану үшін мемлекеттік базада құрылғыңызды сәйкестендіріңіз: http://kz-imei.kz/",
            }), "exactly one Kazakh grey-start SMS");
            Assert.That(_sms.Kannel.ReceivedBy(RuMsisdn).Single(m => m.Text.Contains(ruImei)).From, Is.EqualTo("1414"));
        });
    }

    [Test, CancelAfter(60_000)]
    public async Task A_subscriber_missing_from_the_directory_has_the_notice_parked_not_dropped()
    {
        string imei = Luhn.With("35000041000003");
        using (var mme = new S13Client(_sms.Diameter))
            Assert.That(mme.Check(imei[..14], UnlistedImsi), Is.EqualTo((Success, 0u, Grey)));

        JsonElement notice = default;
        bool parked = await InProcessHost.EventuallyAsync(async () =>
        {
            List<JsonElement> notices = await _sms.NoticesAsync(imei);
            if (notices.Count != 1) return false;
            notice = notices[0];
            return true;
        });
        Assert.That(parked, Is.True, "no notice was recorded for the unlisted subscriber");
        Assert.That(notice.GetProperty("kind").GetString(), Is.EqualTo("grey-start"));
        Assert.That(notice.GetProperty("state").GetString(), Is.EqualTo("parked"));
        Assert.That(notice.GetProperty("imsi").GetString(), Is.EqualTo(UnlistedImsi));
    }
}
