using ImeiEir.Core;
using ImeiEir.Notify.Notices;
using ImeiEir.Notify.Rules;
using ImeiEir.Notify.Subscribers;
using ImeiEir.Notify.Texts;
using Microsoft.Extensions.Time.Testing;

namespace ImeiEir.Notify.Tests;

/// <summary>
/// Template sets as configuration: rendering with every placeholder, the choice per subscriber (directory entry, then
/// home network, then the default), the fallback to the default set, the start-up errors, and the help text after a
/// grey start.
/// </summary>
public sealed class TemplateSetTests
{
    private const string Url = "https://example.kz/obligations";
    private static readonly DateOnly s_deadline = new(2026, 12, 24);
    private TempDirectory _dir = null!;

    [SetUp]
    public void SetUp() => _dir = new TempDirectory();

    [TearDown]
    public void TearDown() => _dir.Dispose();

    private static NoticeTemplates Altel40107() => NoticeTemplates.Load(new NotifyOptions
    {
        NetworkTemplateSets = { ["40107"] = "altel" },
        CommitmentsUrls = { ["altel"] = Url },
    });

    private string WriteSet(string name, string content)
    {
        string path = Path.Combine(_dir.Path, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static string LoadError(NotifyOptions options)
    {
        var e = Assert.Throws<InvalidDataException>(() => NoticeTemplates.Load(options))!;
        Assert.That(e.Message, Does.Not.Contain('\n'), "one line");
        return e.Message;
    }

    [Test]
    public void The_altel_grey_start_prints_the_deadline_the_device_and_the_configured_commitments_url()
    {
        NoticeTemplates templates = Altel40107();
        string text = templates.Render(templates.Sets["altel"], NoticeKind.GreyStart, NoticeLanguage.Russian, TestData.Imei, TestData.RuMsisdn, TestData.Iin, s_deadline);
        Assert.That(text, Is.EqualTo(
            "Выключите и включите устройство, чтобы все работало корректно. Вам предоставлен ВРЕМЕННЫЙ доступ к услугам связи до 24.12.2026. В связи с введением новых требований пунктов 12-1, 12-2 и 12-3 Правил регистрации абонентских устройств сотовой связи из-за отсутствия сведений о законности использования вашего устройства (IMEI 352099001761481). Подробнее: http://kz-imei.kz/ Продолжая пользоваться связью, вы соглашаетесь с условиями: https://example.kz/obligations"));
    }

    [Test]
    public void The_altel_blocked_attach_is_the_device_blocked_text_with_the_imei_twice()
    {
        NoticeTemplates templates = Altel40107();
        string text = templates.Render(templates.For("401071234567890", null), NoticeKind.BlockedAttach, NoticeLanguage.Kazakh, TestData.Imei, TestData.KkMsisdn, TestData.Iin, default);
        Assert.That(text, Is.EqualTo(
            "Устройство (IMEI 352099001761481) заблокировано из-за отсутствия сведений о законности использования вашего устройства (IMEI 352099001761481) в РК в связи с введением новых требований пунктов 12-2 и 12-3 Правил регистрации абонентских устройств сотовой связи. Подробнее: http://kz-imei.kz/"));
    }

    [Test]
    public void A_kind_the_chosen_set_lacks_is_the_default_sets_with_the_default_iin_label()
    {
        NoticeTemplates templates = Altel40107();
        TemplateSet altel = templates.Sets["altel"];
        Assert.That(altel.Has(NoticeKind.DailyReminder), Is.False);
        Assert.That(templates.Render(altel, NoticeKind.DailyReminder, NoticeLanguage.Kazakh, TestData.Imei, TestData.KkMsisdn, TestData.Iin, s_deadline),
            Is.EqualTo("IMEI-коды 352099001761481, нөмірі 77027654321, ЖСН 900101300123 деген құрылғыда желіні уақытша пайдалану мерзімі 24.12.2026 аяқталады.\nҚұрылғыңыз бұғатталып қалмауы үшін оны мемлекеттік базада сәйкестендіріңіз: http://kz-imei.kz/"));
    }

    [TestCase("401071234567890", null, "altel", TestName = "Home network 401-07 gets altel")]
    [TestCase("401771234567890", null, "tele2", TestName = "Home network 401-77 unmapped gets the default")]
    [TestCase("401771234567890", "altel", "altel", TestName = "The directory entry names altel for a 401-77 subscriber")]
    [TestCase("401071234567890", "tele2", "tele2", TestName = "The directory entry wins over the home network")]
    [TestCase("401071234567890", "gone", "altel", TestName = "A directory entry naming a set no longer loaded falls to the home network")]
    public void Set_is_chosen_by_directory_entry_then_home_network_then_default(string imsi, string? directorySet, string expected)
    {
        Assert.That(Altel40107().For(new Subscriber(imsi, TestData.RuMsisdn, TestData.Iin, NoticeLanguage.Russian, directorySet)).Name, Is.EqualTo(expected));
    }

    [Test]
    public void A_six_digit_network_is_matched_before_its_five_digit_prefix()
    {
        string path = WriteSet("mvno.txt", "set: mvno\nblocked-attach ru: Заблокировано [imei]\nblocked-attach kk: =ru\n");
        NoticeTemplates templates = NoticeTemplates.Load(new NotifyOptions
        {
            TemplateSets = [path],
            NetworkTemplateSets = { ["40107"] = "altel", ["401071"] = "mvno" },
            CommitmentsUrls = { ["altel"] = Url },
        });
        Assert.That((templates.For("401071234567890", null).Name, templates.For("401072234567890", null).Name), Is.EqualTo(("mvno", "altel")));
    }

    [Test]
    public void An_operator_file_adds_a_set_whose_missing_kinds_fall_back_to_the_default()
    {
        string path = WriteSet("beeline.txt", "# our wording\nset: beeline\niin-label ru: ИИН\niin-label kk: ЖСН\ngrey-start ru: До ДД.ММ.ГГГГ: [imei] ([iinru])\\nвторая строка\ngrey-start kk: [imei] ДД.ММ.ГГГГ дейін\n");
        NoticeTemplates templates = NoticeTemplates.Load(new NotifyOptions { TemplateSets = [path], DefaultTemplateSet = "tele2" });
        TemplateSet beeline = templates.Sets["beeline"];
        Assert.Multiple(() =>
        {
            Assert.That(templates.Render(beeline, NoticeKind.GreyStart, NoticeLanguage.Russian, TestData.Imei, TestData.RuMsisdn, TestData.Iin, s_deadline),
                Is.EqualTo("До 24.12.2026: 352099001761481 (ИИН 900101300123)\nвторая строка"));
            Assert.That(templates.Template(beeline, NoticeKind.Blacklisted, NoticeLanguage.Russian), Is.EqualTo(templates.Default.Text(NoticeKind.Blacklisted, NoticeLanguage.Russian)));
            Assert.That(beeline.Source, Is.EqualTo(path));
        });
    }

    [Test]
    public void An_unknown_placeholder_stops_start_up_naming_the_file_and_the_text()
    {
        string path = WriteSet("bad.txt", "set: bad\ngrey-start ru: [imei] до ДД.ММ.ГГГГ, [deadline]\ngrey-start kk: =ru\n");
        string message = LoadError(new NotifyOptions { TemplateSets = [path] });
        Assert.That(message, Does.StartWith($"{path}:2: grey-start ru: unknown placeholder [deadline]"));
    }

    [Test]
    public void A_missing_language_stops_start_up_naming_the_file_and_the_text()
    {
        string path = WriteSet("half.txt", "set: half\nblocked-attach ru: Устройство [imei] заблокировано\n");
        string message = LoadError(new NotifyOptions { TemplateSets = [path] });
        Assert.That(message, Does.StartWith($"{path}: blocked-attach has no kk text"));
    }

    [TestCase("set: x\ngrey-start ru: [imei] без даты\ngrey-start kk: =ru\n", ":2: grey-start ru: lacks ДД.ММ.ГГГГ")]
    [TestCase("set: x\nblocked-attach kk: =ru\n", ":2: blocked-attach kk: '=ru' but there is no blocked-attach ru text")]
    [TestCase("set: x\ngrey-stat ru: [imei]\n", ":2: grey-stat ru: 'grey-stat' is not a notice kind")]
    [TestCase("blocked-attach ru: [imei]\n", ":1: the first entry must be 'set: name'")]
    [TestCase("set: x\nblocked-attach ru: [imei] \\t\n", ":2: blocked-attach ru: '\\t' is not \\n or \\\\")]
    public void A_bad_set_file_stops_start_up_with_one_line(string content, string expected)
    {
        string path = WriteSet("x.txt", content);
        Assert.That(LoadError(new NotifyOptions { TemplateSets = [path] }), Does.StartWith(path + expected));
    }

    [Test]
    public void A_set_printing_the_commitments_link_cannot_be_chosen_without_its_url()
    {
        string message = LoadError(new NotifyOptions { NetworkTemplateSets = { ["40107"] = "altel" } });
        Assert.That(message, Is.EqualTo("Notify:NetworkTemplateSets:40107: set 'altel' uses [ссылка на Обязательства]: give its URL as Notify:CommitmentsUrls:altel"));
    }

    [TestCase("nope", "Notify:DefaultTemplateSet: no template set 'nope'")]
    [TestCase("altel", "Notify:DefaultTemplateSet: set 'altel' (embedded:altel.txt) has no daily-reminder text")]
    public void The_default_set_must_exist_and_have_every_registry_notice(string name, string expected)
    {
        Assert.That(LoadError(new NotifyOptions { DefaultTemplateSet = name, CommitmentsUrls = { ["altel"] = Url } }), Does.StartWith(expected));
    }

    [Test]
    public void A_directory_import_naming_an_unusable_set_is_refused_with_its_line()
    {
        Notifier notifier = TestData.OpenAsync(_dir.Path, new FakeTimeProvider(TestData.Start)).GetAwaiter().GetResult();
        using (notifier)
        {
            SubscriberImportReport report = notifier.Subscribers.ImportAsync(new StringReader(
                $"imsi,msisdn,iin,language,set\n{TestData.RuImsi},{TestData.RuMsisdn},{TestData.Iin},ru,tele2\n{TestData.KkImsi},{TestData.KkMsisdn},{TestData.Iin},kk,altel\n"))
                .GetAwaiter().GetResult();
            Assert.That(report.Accepted, Is.False);
            Assert.That(report.Errors.Select(e => (e.Line, e.Reason)), Is.EqualTo(new[]
            {
                (3, "set 'altel' uses [ссылка на Обязательства]: give its URL as Notify:CommitmentsUrls:altel"),
            }));
        }
    }

    [Test]
    public async Task A_directory_entry_naming_a_set_is_kept_across_a_restart_and_chooses_the_text()
    {
        Action<NotifyOptions> altel = o => o.CommitmentsUrls["altel"] = Url;
        using (Notifier first = await TestData.OpenAsync(_dir.Path, new FakeTimeProvider(TestData.Start), altel))
            await TestData.ImportAsync(first, $"{TestData.RuImsi},{TestData.RuMsisdn},{TestData.Iin},ru,altel\n{TestData.KkImsi},{TestData.KkMsisdn},{TestData.Iin},kk\n");
        using Notifier notifier = await TestData.OpenAsync(_dir.Path, new FakeTimeProvider(TestData.Start), altel);
        notifier.Outbox.EnqueueMany([TestData.Grey(TestData.RuImsi), TestData.Grey(TestData.KkImsi)]);
        Assert.That(notifier.Outbox.TryGet(TestData.Grey(TestData.RuImsi).Key, out NoticeView ru), Is.True);
        Assert.That(notifier.Outbox.TryGet(TestData.Grey(TestData.KkImsi).Key, out NoticeView kk), Is.True);
        Assert.That(ru.Text, Does.StartWith("Выключите и включите устройство").And.EndWith(Url), "altel, from the directory entry");
        Assert.That(kk.Text, Does.StartWith("Құрылғы дұрыс жұмыс істеуі үшін"), "no set named: the default tele2");
    }

    [Test]
    public async Task A_grey_start_is_followed_by_the_imei_help_where_the_subscribers_set_has_one()
    {
        const string altelImsi = "401071234567890";
        using Notifier notifier = await TestData.OpenAsync(_dir.Path, new FakeTimeProvider(TestData.Start), o =>
        {
            o.NetworkTemplateSets["40107"] = "altel";
            o.CommitmentsUrls["altel"] = Url;
        });
        await TestData.ImportAsync(notifier, $"{altelImsi},77071234567,{TestData.Iin},kk\n{TestData.RuImsi},{TestData.RuMsisdn},{TestData.Iin},ru\n");
        NoticeTriggers triggers = notifier.CreateTriggers();
        long seen = TestData.Start.ToUnixTimeSeconds();

        triggers.OnGreyAttaches([new GreyAttach(TestData.Imei, altelImsi, TestData.Deadline, seen), new GreyAttach(TestData.Imei, TestData.RuImsi, TestData.Deadline, seen)]);
        triggers.OnGreyAttaches([new GreyAttach(TestData.Imei, altelImsi, TestData.Deadline, seen)]);

        IReadOnlyList<NoticeView> notices = notifier.Outbox.FindByImei(TestData.Imei);
        Assert.That(notices.Select(n => (n.Kind, n.Imsi)), Is.EquivalentTo(new[]
        {
            (NoticeKind.GreyStart, altelImsi), (NoticeKind.ImeiHelp, altelImsi), (NoticeKind.GreyStart, TestData.RuImsi),
        }), "help once per grey period, and only for the altel subscriber (tele2 has no help text)");
        Assert.That((triggers.GreyStarts, triggers.ImeiHelps), Is.EqualTo((2L, 1L)), "each kind counted as itself (the per-kind metric)");
        NoticeView help = notices.Single(n => n.Kind == NoticeKind.ImeiHelp);
        Assert.That(help.Text, Is.EqualTo("Құрылғының IMEI-кодын білу үшін *#06# пәрменін теріңіз. Егер құрылғы жаңа болса, оның IMEI-коды қорапта, қақпақта немесе қақпақтың астында жазылған болады."));
        Assert.That(help.Key, Is.EqualTo($"help-{TestData.Imei}-{altelImsi}-{TestData.Deadline}"));
    }

    [Test]
    public async Task The_first_blocked_attach_of_a_sim_in_a_device_is_followed_by_the_status_help_where_the_set_has_one()
    {
        const string altelImsi = "401071234567890";
        using Notifier notifier = await TestData.OpenAsync(_dir.Path, new FakeTimeProvider(TestData.Start), o =>
        {
            o.NetworkTemplateSets["40107"] = "altel";
            o.CommitmentsUrls["altel"] = Url;
        });
        await TestData.ImportAsync(notifier, $"{altelImsi},77071234567,{TestData.Iin},ru\n{TestData.RuImsi},{TestData.RuMsisdn},{TestData.Iin},ru\n");
        NoticeTriggers triggers = notifier.CreateTriggers();
        long today = TestData.Start.ToUnixTimeSeconds(), tomorrow = today + 86_400;

        triggers.OnBlackAttaches([new BlackAttach(TestData.Imei, altelImsi, today), new BlackAttach(TestData.Imei, TestData.RuImsi, today)]);
        triggers.OnBlackAttaches([new BlackAttach(TestData.Imei, altelImsi, tomorrow)]);

        IReadOnlyList<NoticeView> notices = notifier.Outbox.FindByImei(TestData.Imei);
        Assert.That(notices.Select(n => (n.Kind, n.Imsi)), Is.EquivalentTo(new[]
        {
            (NoticeKind.BlockedAttach, altelImsi), (NoticeKind.StatusHelp, altelImsi), (NoticeKind.BlockedAttach, altelImsi),
            (NoticeKind.BlockedAttach, TestData.RuImsi),
        }), "a blocked notice a day, the status help once per SIM and device, and none for tele2");
        Assert.That((triggers.Blocked, triggers.StatusHelps), Is.EqualTo((3L, 1L)));
        Assert.That(notices.Single(n => n.Kind == NoticeKind.StatusHelp).Text, Is.EqualTo(
            "Проверить статус IMEI-кода и самостоятельно верифицировать устройство можно в госбазе: https://kz-imei.kz. Чтобы узнать IMEI-код устройства, наберите команду *#06#. Если устройство новое, то его IMEI можно найти на коробке или крышке устройства."));
        Assert.That(notices.Single(n => n.Kind == NoticeKind.BlockedAttach && n.Imsi == TestData.RuImsi).Text,
            Does.StartWith("Устройство с IMEI 352099001761481 в «черном списке»"), "tele2's blocked-attach text");
    }

    [Test]
    public async Task A_home_pair_report_of_a_white_device_makes_the_status_help_once_per_sim_and_device_and_never_a_grey_start()
    {
        const string altelImsi = "401071234567890";
        using Notifier notifier = await TestData.OpenAsync(_dir.Path, new FakeTimeProvider(TestData.Start), o =>
        {
            o.NetworkTemplateSets["40107"] = "altel";
            o.CommitmentsUrls["altel"] = Url;
        });
        await TestData.ImportAsync(notifier, $"{altelImsi},77071234567,{TestData.Iin},ru\n{TestData.RuImsi},{TestData.RuMsisdn},{TestData.Iin},ru\n");
        await using RegistryNoticeRules rules = notifier.CreateRegistryRules((Imei _, out ImeiRecord record) => { record = default; return false; },
            new RegimeClock(new FakeTimeProvider(TestData.Start)));
        uint today = (uint)TestData.Start.ToUnixTimeSeconds();
        Imei grey = TestData.Device(2);
        var white = new ImeiRecord(ListKind.White, Reason.Verified, 0, 5);
        var greyRecord = new ImeiRecord(ListKind.Grey, Reason.Unverified, today + 86_400 * 20, 6);
        RecordedSighting Home(Imei imei, string imsi, uint seen, ImeiRecord record)
        {
            Assert.That(PackedImsi.TryPack(imsi.AsSpan(), out PackedImsi packed), Is.True);
            return new RecordedSighting(new Sighting(imei.Key, packed, seen, SightingKind.HomeAttach), SightingOutcome.Attach, record);
        }

        rules.OnSightingsRecorded(new SightingReport("node", [Home(TestData.Imei, altelImsi, today, white), Home(TestData.Imei, TestData.RuImsi, today, white)], 0, 0, 0));
        rules.OnSightingsRecorded(new SightingReport("node", [Home(TestData.Imei, altelImsi, today + 86_400, white)], 0, 0, 0));
        // A node answered this device by another rule (an M2M subscriber, say) while the registry has it grey: no grey start.
        rules.OnSightingsRecorded(new SightingReport("node", [Home(grey, altelImsi, today, greyRecord)], 0, 0, 0));

        Assert.That(notifier.Outbox.FindByImei(TestData.Imei).Select(n => (n.Kind, n.Imsi)), Is.EqualTo(new[] { (NoticeKind.StatusHelp, altelImsi) }),
            "once per SIM and device, and none for tele2 (no status text)");
        Assert.That(notifier.Outbox.FindByImei(grey), Is.Empty);
        Assert.That(rules.Made(NoticeKind.StatusHelp), Is.EqualTo(1));
    }
}
