using System.Net;
using System.Text.Json;

namespace ImeiEir.Server.Tests.Lifecycle;

/// <summary>
/// The notices of a grey period on a fake regime clock, end to end from Diameter attaches to real Kannel's fake SMSC:
/// a reminder a day at 12:00 Asia/Almaty for every subscriber seen with the device (a second subscriber gets its own
/// grey-start first), none after verification, the blacklisted SMS at expiry, one blocked-attach SMS a day after.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class NoticeLifecycleSmsTests
{
    private const string RuImsi = SmsServer.RuImsi, RuMsisdn = SmsServer.RuMsisdn;
    private const string KkImsi = SmsServer.KkImsi, KkMsisdn = SmsServer.KkMsisdn;
    private const string SecondImsi = "401015555555555", SecondMsisdn = "77015555555";
    private const string Iin = SmsServer.Iin;
    private const uint Success = 2001;
    private const int White = 0, Black = 1, Grey = 2;
    private static readonly TimeSpan Almaty = TimeSpan.FromHours(5);

    private SmsServer _sms = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _sms = await SmsServer.StartAsync("notice-lifecycle-sms");
        (HttpStatusCode status, string body) = await _sms.AdminAsync(HttpMethod.Post, "v1/subscribers",
            $"imsi,msisdn,iin,language\n{SecondImsi},{SecondMsisdn},{Iin},ru\n");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_sms is not null) await _sms.DisposeAsync();
    }

    /// <summary>Moves the regime clock to a local (Almaty) time.</summary>
    private void AdvanceTo(int month, int day, int hour, int minute = 0)
    {
        var at = new DateTimeOffset(2026, month, day, hour, minute, 0, Almaty);
        Assert.That(at, Is.GreaterThan(_sms.Clock.GetUtcNow()), "the test moves the clock forward only");
        _sms.Clock.Advance(at - _sms.Clock.GetUtcNow());
    }

    private (uint, uint, int) Attach(string imei15, string imsi)
    {
        using var mme = new S13Client(_sms.Diameter);
        return mme.Check(imei15[..14], imsi);
    }

    private static string RuReminder(string imei, string msisdn) =>
        $"Срок временного доступа к сети для устройства с IMEI {imei}, номером {msisdn}, ИИН {Iin} истекает 01.04.2026.\nЧтобы устройство не заблокировалось, пройдите его верификацию в госбазе: http://kz-imei.kz/";

    private async Task<List<string>> KindsAsync(string imei15) =>
        [.. (await _sms.NoticesAsync(imei15)).Select(n => $"{n.GetProperty("kind").GetString()} {n.GetProperty("imsi").GetString()}").Order()];

    [Test, CancelAfter(180_000)]
    public async Task A_grey_period_sends_daily_reminders_at_noon_then_the_blacklisted_sms_then_one_blocked_sms_a_day()
    {
        string device = Luhn.With("35000042000001"), verified = Luhn.With("35000042000002");

        // Day 0, 08:00 in Almaty: both devices are unknown and turn grey until 01.04.2026.
        Assert.That(Attach(device, RuImsi), Is.EqualTo((Success, 0u, Grey)));
        Assert.That(Attach(verified, KkImsi), Is.EqualTo((Success, 0u, Grey)));
        Assert.That(await _sms.SmsAboutAsync(RuMsisdn, device), Has.Count.EqualTo(1), "grey start");
        Assert.That(await _sms.SmsAboutAsync(KkMsisdn, verified), Has.Count.EqualTo(1), "grey start");

        // Day 1, 09:00: a second subscriber puts a SIM in the grey device and gets a grey start of their own.
        AdvanceTo(3, 3, 9);
        Assert.That(Attach(device, SecondImsi), Is.EqualTo((Success, 0u, Grey)));
        List<string> second = await _sms.SmsAboutAsync(SecondMsisdn, device);
        Assert.That(second.Single(), Does.Contain("до 01.04.2026"), "the device's deadline, not 30 days from today");

        // Day 1, 12:00: a reminder for each subscriber seen before today, in their language.
        AdvanceTo(3, 3, 12);
        Assert.That((await _sms.SmsAboutAsync(RuMsisdn, device, count: 2))[1], Is.EqualTo(RuReminder(device, RuMsisdn)));
        Assert.That((await _sms.SmsAboutAsync(KkMsisdn, verified, count: 2))[1], Is.EqualTo(
            $"IMEI-коды {verified}, нөмірі {KkMsisdn}, ЖСН {Iin} деген құрылғыда желіні уақытша пайдалану мерзімі 01.04.2026 аяқталады.\nҚұрылғыңыз бұғатталып қалмауы үшін оны мемлекеттік базада сәйкестендіріңіз: http://kz-imei.kz/"));

        // The owner verifies the second device; day 2, 12:00: reminders for the first device only.
        (HttpStatusCode pushed, string body) = await _sms.AdminAsync(HttpMethod.Post, "v1/deltas", $"op,imei,list,reason\nset,{verified},white,verified\n");
        Assert.That(pushed, Is.EqualTo(HttpStatusCode.OK), body);
        AdvanceTo(3, 4, 12);
        Assert.That(await _sms.SmsAboutAsync(RuMsisdn, device, count: 3), Has.Count.EqualTo(3), "grey start and two reminders");
        Assert.That((await _sms.SmsAboutAsync(SecondMsisdn, device, count: 2))[1], Is.EqualTo(RuReminder(device, SecondMsisdn)));
        Assert.That(await KindsAsync(verified), Is.EqualTo(new[] { $"daily-reminder {KkImsi}", $"grey-start {KkImsi}" }),
            "the verified device had one reminder, before its verification (day 2's round has run: the other device's reminders are out)");
        Assert.That(await InProcessHost.EventuallyAsync(() => Task.FromResult(Attach(verified, KkImsi) == (Success, 0u, White))), Is.True,
            "the verified device is white on the node");

        // 01.04.2026 08:01: the grace period is over; everyone seen with the device is told it is blacklisted.
        AdvanceTo(4, 1, 8, 1);
        string blacklisted = $"Устройство с IMEI {device} внесено в «черный список» государственной базы данных идентификационных кодов. Услуги связи в этом устройстве заблокированы.\nЧтобы разблокировать устройство, пройдите его верификацию в госбазе: http://kz-imei.kz/";
        Assert.That((await _sms.SmsAboutAsync(RuMsisdn, device, count: 4))[3], Is.EqualTo(blacklisted));
        Assert.That((await _sms.SmsAboutAsync(SecondMsisdn, device, count: 3))[2], Is.EqualTo(blacklisted.Replace(RuMsisdn, SecondMsisdn)));

        // The device tries to attach, twice: refused, and one blocked-attach SMS that day.
        Assert.That(Attach(device, RuImsi), Is.EqualTo((Success, 0u, Black)));
        Assert.That(Attach(device, RuImsi), Is.EqualTo((Success, 0u, Black)));
        Assert.That((await _sms.SmsAboutAsync(RuMsisdn, device, count: 5))[4], Is.EqualTo(
            $"Устройство с IMEI {device} в «черном списке» государственной базы данных идентификационных кодов. Услуги связи в этом устройстве заблокированы. Чтобы восстановить доступ, пройдите верификацию устройства в госбазе: http://kz-imei.kz/"));
        List<string> kinds = await KindsAsync(device);
        Assert.That(kinds.Count(k => k.StartsWith("blocked-attach", StringComparison.Ordinal)), Is.EqualTo(1), string.Join("; ", kinds));
        Assert.That(kinds.Count(k => k.StartsWith("daily-reminder", StringComparison.Ordinal)), Is.EqualTo(3), "Ru on days 1 and 2, the second subscriber on day 2: " + string.Join("; ", kinds));

        // The operator sees the same on /metrics: what was made, by kind; what Kannel took; no pairs left to remind.
        string metrics = await _sms.MetricsAsync();
        Assert.Multiple(() =>
        {
            Assert.That(MetricsText.Value(metrics, "imeieir_notices_made_total{kind=\"grey-start\"}"), Is.EqualTo(3));
            Assert.That(MetricsText.Value(metrics, "imeieir_notices_made_total{kind=\"daily-reminder\"}"), Is.EqualTo(4), "3 for the device, 1 for the verified one");
            Assert.That(MetricsText.Value(metrics, "imeieir_notices_made_total{kind=\"blacklisted\"}"), Is.EqualTo(2));
            Assert.That(MetricsText.Value(metrics, "imeieir_notices_made_total{kind=\"blocked-attach\"}"), Is.EqualTo(1));
            Assert.That(MetricsText.Value(metrics, "imeieir_notices_accepted_total"), Is.EqualTo(10), "every one of them reached Kannel");
            Assert.That(MetricsText.Value(metrics, "imeieir_notices{state=\"sent\"}"), Is.EqualTo(10));
            Assert.That(MetricsText.Value(metrics, "imeieir_notice_pairs"), Is.Zero, "the expired device's pairs are forgotten, the verified one's too");
            Assert.That(MetricsText.Value(metrics, "imeieir_notice_sender"), Is.EqualTo(1), "the one registry process, with a gateway, sends");
        });
    }
}
