using ImeiEir.Notify.Delivery;
using ImeiEir.Notify.Notices;
using ImeiEir.Notify.Rules;

namespace ImeiEir.Notify.Tests.Kannel;

/// <summary>
/// The notifier against real Kannel: the SMS reach the fake SMSC with the exact seed texts, delivery reports come
/// back through MapNotifyApi, a parked notice goes out after the import, and a down gateway delays but never
/// duplicates. Each test uses its own numbers, so the shared Kannel's traffic does not mix.
/// </summary>
public class KannelDeliveryTests
{
    private TempDirectory _dir = null!;
    private Notifier _notifier = null!;
    private ApiHost _api = null!;
    private HttpClient _http = null!;
    private NotifierService _service = null!;

    private static KannelGateway Gateway => KannelSetUp.Gateway;

    [SetUp]
    public async Task SetUp()
    {
        _dir = new TempDirectory();
        NotifyOptions options = TestData.Options(_dir.Path, o =>
        {
            o.SendSmsUrl = Gateway.SendSmsUrl;
            o.Username = KannelGateway.User;
            o.Password = KannelGateway.Password;
            o.From = "1414";
            o.RatePerSecond = 50;
            o.InitialBackoff = TimeSpan.FromMilliseconds(100);
            o.MaxBackoff = TimeSpan.FromMilliseconds(400);
            o.CommitmentsUrls["altel"] = "https://example.kz/obligations";
        });
        // The API (Kannel's delivery reports, eirctl) needs the notifier, and the sender needs the API's port for its
        // dlr-url: the URL is set once the API listens, before the service (which reads it per request) starts.
        _notifier = await Notifier.OpenAsync(options, TimeProvider.System);
        _api = await ApiHost.StartAsync(_notifier);
        options.DlrUrl = _api.DlrUrl;
        _http = new HttpClient();
        _service = _notifier.CreateService(_http, TimeProvider.System);
        await _service.StartAsync(CancellationToken.None);
    }

    [TearDown]
    public async Task TearDown()
    {
        await _service.StopAsync(CancellationToken.None);
        _service.Dispose();
        _http.Dispose();
        await _api.DisposeAsync();
        _notifier.Dispose();
        _dir.Dispose();
        if (!Gateway.Running) Gateway.Start(); // a failed gateway-down test must not take Kannel from the others
    }

    private NoticeView View(NoticeRequest request)
    {
        Assert.That(_notifier.Outbox.TryGet(request.Key, out NoticeView view), Is.True);
        return view;
    }

    private async Task<List<ReceivedSms>> WaitForSmsAsync(string msisdn, int count, string what)
    {
        await Wait.UntilAsync(() => Gateway.ReceivedBy(msisdn).Count >= count, what, seconds: 20,
            diagnostics: () => $"received: {string.Join(" | ", Gateway.Received().Select(m => $"{m.To}: {m.Text[..Math.Min(40, m.Text.Length)]}"))}\n{Gateway.Logs()}");
        return Gateway.ReceivedBy(msisdn);
    }

    [Test]
    public async Task Grey_start_reaches_the_fake_smsc_with_the_exact_text_in_russian_and_in_kazakh()
    {
        await TestData.ImportAsync(_notifier, TestData.DirectoryCsv);
        _notifier.Outbox.EnqueueMany([TestData.Grey(TestData.RuImsi), TestData.Grey(TestData.KkImsi)]);

        List<ReceivedSms> ru = await WaitForSmsAsync(TestData.RuMsisdn, 1, "the Russian grey-start SMS");
        List<ReceivedSms> kk = await WaitForSmsAsync(TestData.KkMsisdn, 1, "the Kazakh grey-start SMS");
        Assert.Multiple(() =>
        {
            Assert.That(ru.Single().Text, Is.EqualTo(
                "Перезагрузите устройство, чтобы всё работало корректно. Ваше устройство с 352099001761481 не верифицировано и внесено в «серый список» государственной базы данных идентификационных кодов. Вам предоставлен временный доступ к сети до 24.12.2026 по данным: IMEI 352099001761481, номер 77011234567, ИИН 900101300123.\nЧтобы получить полный доступ, пройдите верификацию устройства в госбазе: http://kz-imei.kz/"));
            Assert.That(kk.Single().Text, Is.EqualTo(
                "Құрылғы дұрыс жұмыс істеуі үшін оны қайта жүктеу керек. 352099001761481 деген IMEI-коды бар құрылғыңыз сәйкестендіруден өтпеген және мемлекеттік сәйкестендіру кодтарының дерекқорында «сұр тізімге» енген. 24.12.2026 дейін IMEI 352099001761481, нөмір 77027654321, ЖСН 900101300123 дерегі бойынша желіні уақытша пайдалануға рұқсат берілді.\nБайланысты толық пайдалану үшін мемлекеттік базада құрылғыңызды сәйкестендіріңіз: http://kz-imei.kz/"));
            Assert.That((ru.Single().Text.Length, ru.Single().Parts), Is.EqualTo((404, 7)), "sent whole: Kannel split 404 UCS-2 characters into 7 concatenated parts of at most 67");
            Assert.That(ru.Single().From, Is.EqualTo("1414"));
        });

        // fakesmsc acknowledges and reports delivery; Kannel calls our dlr-url with the notice key.
        await Wait.UntilAsync(() => View(TestData.Grey(TestData.RuImsi)).State == NoticeState.Delivered
                                    && View(TestData.Grey(TestData.KkImsi)).State == NoticeState.Delivered,
            "Kannel's delivery reports", seconds: 20, diagnostics: () => $"{View(TestData.Grey(TestData.RuImsi))}\n{Gateway.Logs()}");
        NoticeView delivered = View(TestData.Grey(TestData.RuImsi));
        Assert.That((delivered.Attempts, delivered.GatewayAnswer), Is.EqualTo((1, (string?)"0: Accepted for delivery")));
        Assert.That(_notifier.Outbox.DeliveredCount, Is.EqualTo(2));
    }

    [Test]
    public async Task An_altel_subscriber_gets_the_altel_grey_start_and_the_imei_help_through_kannel_exactly()
    {
        // The tele2 set's texts went through Kannel above; this is the altel set's, chosen by the directory entry.
        const string imsi = "401077000000010", msisdn = "77077000010";
        await TestData.ImportAsync(_notifier, $"{imsi},{msisdn},{TestData.Iin},kk,altel\n");
        NoticeTriggers triggers = _notifier.CreateTriggers();
        Assert.That(triggers.OnGreyAttaches([new GreyAttach(TestData.Device(20), imsi, TestData.Deadline, TestData.Start.ToUnixTimeSeconds())]), Is.EqualTo(2));

        List<ReceivedSms> sms = await WaitForSmsAsync(msisdn, 2, "the altel grey start and its help text");
        Assert.That(sms.Select(m => m.Text), Is.EquivalentTo(new[]
        {
            "Выключите и включите устройство, чтобы все работало корректно. Вам предоставлен ВРЕМЕННЫЙ доступ к услугам связи до 24.12.2026. В связи с введением новых требований пунктов 12-1, 12-2 и 12-3 Правил регистрации абонентских устройств сотовой связи из-за отсутствия сведений о законности использования вашего устройства (IMEI 350000000000204). Подробнее: http://kz-imei.kz/ Продолжая пользоваться связью, вы соглашаетесь с условиями: https://example.kz/obligations",
            "Құрылғының IMEI-кодын білу үшін *#06# пәрменін теріңіз. Егер құрылғы жаңа болса, оның IMEI-коды қорапта, қақпақта немесе қақпақтың астында жазылған болады.",
        }));
    }

    [Test]
    public async Task A_notice_for_an_unknown_subscriber_is_parked_then_delivered_after_the_import()
    {
        const string imsi = "401017000000001", msisdn = "77017000001";
        const string laterImsi = "401017000000004", laterMsisdn = "77017000004";
        await TestData.ImportAsync(_notifier, $"{laterImsi},{laterMsisdn},{TestData.Iin},ru\n");
        var blocked = new NoticeRequest(NoticeKind.BlockedAttach, TestData.Device(11), imsi, 0, TestData.Day);
        Assert.That(_notifier.Outbox.Enqueue(blocked), Is.True);
        Assert.That((_notifier.Outbox.ParkedCount, View(blocked).State), Is.EqualTo((1L, NoticeState.Parked)));
        // A later notice, for a known subscriber: the sender takes notices in order, so a parked one it would send goes first.
        var later = new NoticeRequest(NoticeKind.BlockedAttach, TestData.Device(12), laterImsi, 0, TestData.Day);
        Assert.That(_notifier.Outbox.Enqueue(later), Is.True);
        await WaitForSmsAsync(laterMsisdn, 1, "the SMS of the notice enqueued after the parked one");
        Assert.That(Gateway.ReceivedBy(msisdn), Is.Empty, "an SMS for a parked notice");
        Assert.That((View(blocked).State, View(blocked).Attempts), Is.EqualTo((NoticeState.Parked, 0)), "no attempt at a parked notice");

        string file = Path.Combine(_dir.Path, "new-subscribers.csv");
        await File.WriteAllTextAsync(file, $"imsi,msisdn,iin,language\n{imsi},{msisdn},050505600321,ru\n");
        (int exit, string stdout, string transcript) = ChildProcess.RunDll("eirctl.dll",
            ["subscribers", "import", file, "--registry", _api.Url.ToString(), "--token", ApiHost.AdminToken]);
        Assert.That(exit, Is.Zero, transcript);
        Assert.That(stdout, Does.Contain("1 parked notice(s) released"), transcript);

        List<ReceivedSms> sms = await WaitForSmsAsync(msisdn, 1, "the released notice");
        Assert.That(sms.Single().Text, Is.EqualTo(
            "Устройство с IMEI 350000000000113 в «черном списке» государственной базы данных идентификационных кодов. Услуги связи в этом устройстве заблокированы. Чтобы восстановить доступ, пройдите верификацию устройства в госбазе: http://kz-imei.kz/"));
        Assert.That(_notifier.Outbox.ParkedCount, Is.Zero);
    }

    [Test]
    public async Task While_the_gateway_is_down_notices_wait_then_each_arrives_exactly_once()
    {
        const string imsi = "401017000000002", msisdn = "77017000002";
        await TestData.ImportAsync(_notifier, $"{imsi},{msisdn},{TestData.Iin},kk\n");
        Gateway.Stop();
        NoticeRequest[] notices = [.. Enumerable.Range(21, 3).Select(i => new NoticeRequest(NoticeKind.Blacklisted, TestData.Device(i), imsi, 0, TestData.Day))];
        _notifier.Outbox.EnqueueMany(notices);

        await Wait.UntilAsync(() => _notifier.Outbox.RetryCount >= 4, "several failed attempts against the stopped gateway", seconds: 20);
        Assert.Multiple(() =>
        {
            Assert.That(notices.Select(n => View(n).State), Is.All.EqualTo(NoticeState.Pending));
            Assert.That(View(notices[0]).LastError, Does.Contain("Connection refused"));
            Assert.That(Gateway.ReceivedBy(msisdn), Is.Empty);
        });

        Gateway.Start();
        await WaitForSmsAsync(msisdn, 3, "the three notices after the gateway came back");
        await Wait.UntilAsync(() => notices.All(n => View(n).State is NoticeState.Sent or NoticeState.Delivered), "all three recorded as sent");
        // Nothing is left for the notifier to send; an SMS through Kannel after them arrives after any duplicate it accepted.
        await Wait.UntilAsync(() => _notifier.Outbox.PendingCount == 0, "an idle outbox");
        await Gateway.SendAndAwaitAsync("77017000091", "after the three notices");
        List<ReceivedSms> received = Gateway.ReceivedBy(msisdn);
        Assert.That(received, Has.Count.EqualTo(3), string.Join("\n", received.Select(r => r.Text)));
        foreach (NoticeRequest notice in notices)
        {
            string expected = $"{notice.Imei} деген IMEI-коды бар құрылғы мемлекеттік сәйкестендіру кодтарының дерекқорында «қара тізімге» енген. Бұл құрылғыдағы байланыс қызметтері бұғатталды.\nҚұрылғыны бұғаттан шығару үшін оны мемлекеттік базада сәйкестендіріңіз: http://kz-imei.kz/";
            Assert.That(received.Count(r => r.Text == expected), Is.EqualTo(1), $"exactly once: {notice.Key}");
            Assert.That(View(notice).Attempts, Is.GreaterThan(1), "it was tried while the gateway was down");
        }
    }
}
