using ImeiEir.Core;
using ImeiEir.Notify.Notices;
using ImeiEir.Notify.Texts;

namespace ImeiEir.Notify.Tests;

/// <summary>
/// The rendered texts, compared whole with golden strings taken from the seed's "SMS-информинги" table (markdown
/// removed, placeholders filled by hand), not produced by the code under test.
/// </summary>
public class TemplateTests
{
    private static readonly NoticeTemplates s_templates = NoticeTemplates.Load();
    private static readonly DateOnly s_deadline = new(2026, 12, 24);

    [TestCase(NoticeKind.GreyStart, NoticeLanguage.Russian,
        "Перезагрузите устройство, чтобы всё работало корректно. Ваше устройство с 352099001761481 не верифицировано и внесено в «серый список» государственной базы данных идентификационных кодов. Вам предоставлен временный доступ к сети до 24.12.2026 по данным: IMEI 352099001761481, номер 77011234567, ИИН 900101300123.\nЧтобы получить полный доступ, пройдите верификацию устройства в госбазе: http://kz-imei.kz/")]
    [TestCase(NoticeKind.GreyStart, NoticeLanguage.Kazakh,
        "Құрылғы дұрыс жұмыс істеуі үшін оны қайта жүктеу керек. 352099001761481 деген IMEI-коды бар құрылғыңыз сәйкестендіруден өтпеген және мемлекеттік сәйкестендіру кодтарының дерекқорында «сұр тізімге» енген. 24.12.2026 дейін IMEI 352099001761481, нөмір 77011234567, ЖСН 900101300123 дерегі бойынша желіні уақытша пайдалануға рұқсат берілді.\nБайланысты толық пайдалану үшін мемлекеттік базада құрылғыңызды сәйкестендіріңіз: http://kz-imei.kz/")]
    [TestCase(NoticeKind.DailyReminder, NoticeLanguage.Russian,
        "Срок временного доступа к сети для устройства с IMEI 352099001761481, номером 77011234567, ИИН 900101300123 истекает 24.12.2026.\nЧтобы устройство не заблокировалось, пройдите его верификацию в госбазе: http://kz-imei.kz/")]
    [TestCase(NoticeKind.DailyReminder, NoticeLanguage.Kazakh,
        "IMEI-коды 352099001761481, нөмірі 77011234567, ЖСН 900101300123 деген құрылғыда желіні уақытша пайдалану мерзімі 24.12.2026 аяқталады.\nҚұрылғыңыз бұғатталып қалмауы үшін оны мемлекеттік базада сәйкестендіріңіз: http://kz-imei.kz/")]
    [TestCase(NoticeKind.Blacklisted, NoticeLanguage.Russian,
        "Устройство с IMEI 352099001761481 внесено в «черный список» государственной базы данных идентификационных кодов. Услуги связи в этом устройстве заблокированы.\nЧтобы разблокировать устройство, пройдите его верификацию в госбазе: http://kz-imei.kz/")]
    [TestCase(NoticeKind.Blacklisted, NoticeLanguage.Kazakh,
        "352099001761481 деген IMEI-коды бар құрылғы мемлекеттік сәйкестендіру кодтарының дерекқорында «қара тізімге» енген. Бұл құрылғыдағы байланыс қызметтері бұғатталды.\nҚұрылғыны бұғаттан шығару үшін оны мемлекеттік базада сәйкестендіріңіз: http://kz-imei.kz/")]
    [TestCase(NoticeKind.BlockedAttach, NoticeLanguage.Russian,
        "Устройство с IMEI 352099001761481 в «черном списке» государственной базы данных идентификационных кодов. Услуги связи в этом устройстве заблокированы. Чтобы восстановить доступ, пройдите верификацию устройства в госбазе: http://kz-imei.kz/")]
    [TestCase(NoticeKind.BlockedAttach, NoticeLanguage.Kazakh,
        "352099001761481 деген IMEI-коды бар құрылғы мемлекеттік сәйкестендіру кодтарының дерекқорында «қара тізімге» енген. Бұл құрылғыдағы байланыс қызметтері бұғатталды. Байланысты қайта пайдалану үшін мемлекеттік базада құрылғыңызды сәйкестендіріңіз: http://kz-imei.kz/")]
    public void Rendered_text_is_the_seed_text(NoticeKind kind, NoticeLanguage language, string expected)
    {
        string text = s_templates.Render(kind, language, TestData.Imei, TestData.RuMsisdn, TestData.Iin, s_deadline);
        Assert.That(text, Is.EqualTo(expected));
    }

    [Test]
    public void The_imei_is_printed_with_its_check_digit_and_an_iin_keeps_its_leading_zero()
    {
        // 49015420323751 → check digit 8; an IIN of someone born in 2005 starts with 0.
        string text = s_templates.Render(NoticeKind.GreyStart, NoticeLanguage.Russian, Imei.Parse("49015420323751"), "77011234567", "050505600321", s_deadline);
        Assert.That(text, Does.Contain("IMEI 490154203237518, номер 77011234567, ИИН 050505600321."));
    }

    [TestCase(NoticeKind.GreyStart, true)]
    [TestCase(NoticeKind.DailyReminder, true)]
    [TestCase(NoticeKind.Blacklisted, false)]
    [TestCase(NoticeKind.BlockedAttach, false)]
    public void Only_the_grey_texts_print_the_deadline(NoticeKind kind, bool printsDeadline)
    {
        string text = s_templates.Render(kind, NoticeLanguage.Kazakh, TestData.Imei, TestData.KkMsisdn, TestData.Iin, s_deadline);
        Assert.That(text.Contains("24.12.2026", StringComparison.Ordinal), Is.EqualTo(printsDeadline));
        Assert.That(NoticeTemplates.NeedsDeadline(kind), Is.EqualTo(printsDeadline));
    }
}
