using ImeiEir.Core;
using ImeiEir.Notify.Notices;
using ImeiEir.Notify.Texts;

namespace ImeiEir.Notify.Tests;

/// <summary>
/// The shipped template sets (Templates/Sets/*.txt), read as the service reads them, against the seed's
/// "SMS-информинги" table. The expected texts are copied here as data because the seed is outside the repository:
/// each is the seed's cell with the markdown removed ("\*" → "*", [text](url) and &lt;url&gt; → the text, other
/// asterisks dropped, "до*ДД.ММ.ГГГГ*" → "до ДД.ММ.ГГГГ"), a paragraph gap (a run of spaces and no-break spaces)
/// as one line feed and a single no-break space as a space; they were produced from the seed by a script separate
/// from the files, not from the code under test.
/// </summary>
public class ShippedTemplateSetTests
{
    private static readonly NoticeTemplates s_templates = NoticeTemplates.Load();

    [TestCase("altel", NoticeKind.BlockedAttach, NoticeLanguage.Russian,
        "Устройство (IMEI [imei]) заблокировано из-за отсутствия сведений о законности использования вашего устройства (IMEI [imei]) в РК в связи с введением новых требований пунктов 12-2 и 12-3 Правил регистрации абонентских устройств сотовой связи. Подробнее: http://kz-imei.kz/")]
    [TestCase("altel", NoticeKind.GreyStart, NoticeLanguage.Russian,
        "Выключите и включите устройство, чтобы все работало корректно. Вам предоставлен ВРЕМЕННЫЙ доступ к услугам связи до ДД.ММ.ГГГГ. В связи с введением новых требований пунктов 12-1, 12-2 и 12-3 Правил регистрации абонентских устройств сотовой связи из-за отсутствия сведений о законности использования вашего устройства (IMEI [imei]). Подробнее: http://kz-imei.kz/ Продолжая пользоваться связью, вы соглашаетесь с условиями: [ссылка на Обязательства]")]
    [TestCase("altel", NoticeKind.ImeiHelp, NoticeLanguage.Russian,
        "Чтобы узнать IMEI-код устройства, наберите команду *#06#. Если устройство новое, то его IMEI можно найти на коробке, на крышке или под крышкой устройства.")]
    [TestCase("altel", NoticeKind.ImeiHelp, NoticeLanguage.Kazakh,
        "Құрылғының IMEI-кодын білу үшін *#06# пәрменін теріңіз. Егер құрылғы жаңа болса, оның IMEI-коды қорапта, қақпақта немесе қақпақтың астында жазылған болады.")]
    [TestCase("altel", NoticeKind.StatusHelp, NoticeLanguage.Russian,
        "Проверить статус IMEI-кода и самостоятельно верифицировать устройство можно в госбазе: https://kz-imei.kz. Чтобы узнать IMEI-код устройства, наберите команду *#06#. Если устройство новое, то его IMEI можно найти на коробке или крышке устройства.")]
    [TestCase("altel", NoticeKind.StatusHelp, NoticeLanguage.Kazakh,
        "IMEI-кодтың мәртебесін тексеріп, құрылғыны өз бетіңізше верификациялау үшін мемлекеттік базаға кіріңіз: https://kz-imei.kz. Құрылғының IMEI-кодын білу үшін *#06# пәрменін теріңіз. Егер құрылғы жаңа болса, оның IMEI-коды қорапта немесе қақпақта көрсетіледі.")]
    [TestCase("tele2", NoticeKind.GreyStart, NoticeLanguage.Russian,
        "Перезагрузите устройство, чтобы всё работало корректно. Ваше устройство с [imei] не верифицировано и внесено в «серый список» государственной базы данных идентификационных кодов. Вам предоставлен временный доступ к сети до ДД.ММ.ГГГГ по данным: IMEI [imei], номер [msisdn], [iinru].\nЧтобы получить полный доступ, пройдите верификацию устройства в госбазе: http://kz-imei.kz/")]
    [TestCase("tele2", NoticeKind.GreyStart, NoticeLanguage.Kazakh,
        "Құрылғы дұрыс жұмыс істеуі үшін оны қайта жүктеу керек. [imei] деген IMEI-коды бар құрылғыңыз сәйкестендіруден өтпеген және мемлекеттік сәйкестендіру кодтарының дерекқорында «сұр тізімге» енген. ДД.ММ.ГГГГ дейін IMEI [imei], нөмір [msisdn], [iinru] дерегі бойынша желіні уақытша пайдалануға рұқсат берілді.\nБайланысты толық пайдалану үшін мемлекеттік базада құрылғыңызды сәйкестендіріңіз: http://kz-imei.kz/")]
    [TestCase("tele2", NoticeKind.DailyReminder, NoticeLanguage.Russian,
        "Срок временного доступа к сети для устройства с IMEI [imei], номером [msisdn], [iinru] истекает ДД.ММ.ГГГГ.\nЧтобы устройство не заблокировалось, пройдите его верификацию в госбазе: http://kz-imei.kz/")]
    [TestCase("tele2", NoticeKind.DailyReminder, NoticeLanguage.Kazakh,
        "IMEI-коды [imei], нөмірі [msisdn], [iinru] деген құрылғыда желіні уақытша пайдалану мерзімі ДД.ММ.ГГГГ аяқталады.\nҚұрылғыңыз бұғатталып қалмауы үшін оны мемлекеттік базада сәйкестендіріңіз: http://kz-imei.kz/")]
    [TestCase("tele2", NoticeKind.Blacklisted, NoticeLanguage.Russian,
        "Устройство с IMEI [imei] внесено в «черный список» государственной базы данных идентификационных кодов. Услуги связи в этом устройстве заблокированы.\nЧтобы разблокировать устройство, пройдите его верификацию в госбазе: http://kz-imei.kz/")]
    [TestCase("tele2", NoticeKind.Blacklisted, NoticeLanguage.Kazakh,
        "[imei] деген IMEI-коды бар құрылғы мемлекеттік сәйкестендіру кодтарының дерекқорында «қара тізімге» енген. Бұл құрылғыдағы байланыс қызметтері бұғатталды.\nҚұрылғыны бұғаттан шығару үшін оны мемлекеттік базада сәйкестендіріңіз: http://kz-imei.kz/")]
    [TestCase("tele2", NoticeKind.BlockedAttach, NoticeLanguage.Russian,
        "Устройство с IMEI [imei] в «черном списке» государственной базы данных идентификационных кодов. Услуги связи в этом устройстве заблокированы. Чтобы восстановить доступ, пройдите верификацию устройства в госбазе: http://kz-imei.kz/")]
    [TestCase("tele2", NoticeKind.BlockedAttach, NoticeLanguage.Kazakh,
        "[imei] деген IMEI-коды бар құрылғы мемлекеттік сәйкестендіру кодтарының дерекқорында «қара тізімге» енген. Бұл құрылғыдағы байланыс қызметтері бұғатталды. Байланысты қайта пайдалану үшін мемлекеттік базада құрылғыңызды сәйкестендіріңіз: http://kz-imei.kz/")]
    public void Every_shipped_text_is_the_seed_text(string set, NoticeKind kind, NoticeLanguage language, string expected)
    {
        Assert.That(s_templates.Sets[set].Text(kind, language), Is.EqualTo(expected));
    }

    [Test]
    public void The_shipped_sets_hold_exactly_the_seed_texts_and_nothing_else()
    {
        var shipped = s_templates.Sets.Values
            .SelectMany(s => s.Kinds.SelectMany(k => Enum.GetValues<NoticeLanguage>().Select(l => $"{s.Name} {k.ToName()} {l.ToCode()}")))
            .Order().ToList();
        Assert.That(shipped, Is.EqualTo(new[]
        {
            "altel blocked-attach kk", "altel blocked-attach ru", "altel grey-start kk", "altel grey-start ru",
            "altel imei-help kk", "altel imei-help ru", "altel status-help kk", "altel status-help ru",
            "tele2 blacklisted kk", "tele2 blacklisted ru", "tele2 blocked-attach kk", "tele2 blocked-attach ru",
            "tele2 daily-reminder kk", "tele2 daily-reminder ru", "tele2 grey-start kk", "tele2 grey-start ru",
        }.Order()));
    }

    [TestCase(NoticeKind.GreyStart)]
    [TestCase(NoticeKind.BlockedAttach)]
    public void The_altel_texts_the_seed_gives_only_in_Russian_go_in_Russian_to_Kazakh_speakers(NoticeKind kind)
    {
        TemplateSet altel = s_templates.Sets["altel"];
        Assert.That(altel.Text(kind, NoticeLanguage.Kazakh), Is.EqualTo(altel.Text(kind, NoticeLanguage.Russian)).And.Not.Null);
    }

    [Test]
    public void The_default_set_is_tele2_and_has_the_four_registry_notices_but_no_help()
    {
        Assert.That(s_templates.Default.Name, Is.EqualTo("tele2"));
        Assert.That(s_templates.Default.Kinds, Is.EqualTo(new[] { NoticeKind.GreyStart, NoticeKind.DailyReminder, NoticeKind.Blacklisted, NoticeKind.BlockedAttach }));
    }

    [Test]
    public void Every_shipped_text_is_free_of_markdown_and_stray_white_space()
    {
        foreach (TemplateSet set in s_templates.Sets.Values)
        {
            foreach (NoticeKind kind in set.Kinds)
            {
                foreach (NoticeLanguage language in Enum.GetValues<NoticeLanguage>())
                {
                    string template = set.Text(kind, language)!;
                    string where = $"{set.Name} {kind} {language}";
                    Assert.Multiple(() =>
                    {
                        Assert.That(template.Replace("*#06#", "", StringComparison.Ordinal), Does.Not.Contain("*"), where);
                        Assert.That(template, Does.Not.Contain("<").And.Not.Contain(">").And.Not.Contain("](").And.Not.Contain("\\"), where);
                        Assert.That(template, Does.Not.Contain("  ").And.Not.Contain("\u00a0").And.Not.Contain("\r").And.Not.Contain(" \n").And.Not.Contain("\n "), where);
                        Assert.That(template, Is.EqualTo(template.Trim()), where);
                    });
                }
            }
        }
    }
}
