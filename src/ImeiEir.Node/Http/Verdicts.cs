using ImeiEir.Core;

namespace ImeiEir.Node.Http;

/// <summary>
/// The plain-language verdict of a check before purchase, in Russian, Kazakh and English: what a buyer needs to
/// know — will the phone work here, until when, and what to do. Dates are Asia/Almaty calendar dates (DD.MM.YYYY).
/// </summary>
internal static class Verdicts
{
    private const string Portal = "kz-imei.kz";

    public static (string Ru, string Kk, string En) For(Decision decision, bool registered, string? deadlineDate, long graceDays, bool checkDigitValid)
    {
        (string ru, string kk, string en) = ForDecision(decision, registered, deadlineDate, graceDays);
        if (checkDigitValid) return (ru, kk, en);
        // A wrong check digit is most often a typing mistake: say so first, whatever the lists say.
        return decision.Rule == DecisionRule.InvalidImei
            ? ("Неверный IMEI: контрольная цифра неверна (последняя цифра). Проверьте номер (наберите *#06# на телефоне); с таким IMEI устройство в сетях Казахстана работать не будет.",
               "IMEI жарамсыз: бақылау цифры қате (соңғы цифр). Нөмірді тексеріңіз (телефонда *#06# теріңіз); мұндай IMEI-мен құрылғы Қазақстан желілерінде жұмыс істемейді.",
               "Invalid IMEI: the check digit is wrong (the last digit). Check the number (dial *#06# on the phone); with this IMEI it will not work on Kazakhstan's networks.")
            : ("Внимание: контрольная цифра неверна (последняя цифра), проверьте номер. " + ru,
               "Назар аударыңыз: бақылау цифры қате (соңғы цифр), нөмірді тексеріңіз. " + kk,
               "Note: the check digit is wrong (the last digit); check the number. " + en);
    }

    private static (string Ru, string Kk, string En) ForDecision(Decision decision, bool registered, string? deadlineDate, long graceDays) =>
        !registered && decision.Rule == DecisionRule.UnknownProvisionalGrey ? Unregistered(graceDays)
        : decision.Status switch
        {
            EquipmentStatus.Whitelisted => (
                "Устройство в «белом списке»: оно будет работать в сетях Казахстана.",
                "Құрылғы «ақ тізімде»: ол Қазақстан желілерінде жұмыс істейді.",
                "On the white list: it will work on Kazakhstan's mobile networks."),
            EquipmentStatus.Greylisted => (
                $"Устройство в «сером списке»: временный доступ к сети до {deadlineDate}. Чтобы устройство не заблокировалось, пройдите верификацию в госбазе: {Portal}",
                $"Құрылғы «сұр тізімде»: желіні {deadlineDate} дейін уақытша пайдалануға болады. Құрылғыңыз бұғатталып қалмауы үшін оны мемлекеттік базада сәйкестендіріңіз: {Portal}",
                $"On the grey list: temporary access until {deadlineDate}. Verify it at {Portal} or it will be blocked."),
            _ => Black(decision.Reason),
        };

    private static (string, string, string) Unregistered(long graceDays) => (
        $"Устройство не зарегистрировано. После первого подключения к сети в Казахстане ему предоставят временный доступ на {graceDays} дн., затем оно будет заблокировано, если не пройдёт верификацию в госбазе: {Portal}",
        $"Құрылғы тіркелмеген. Қазақстанда желіге алғаш қосылғаннан кейін оған {graceDays} күнге уақытша рұқсат беріледі, содан кейін мемлекеттік базада сәйкестендірілмесе, бұғатталады: {Portal}",
        $"Not registered. After its first use on a network in Kazakhstan it gets {graceDays} days of temporary access, then it is blocked unless verified at {Portal}.");

    private static (string, string, string) Black(Reason reason) => reason switch
    {
        Reason.Stolen => (
            "Устройство в «черном списке»: заявлено как украденное или утерянное. Услуги связи в нём заблокированы.",
            "Құрылғы «қара тізімде»: ұрланған немесе жоғалған деп жарияланған. Бұл құрылғыдағы байланыс қызметтері бұғатталған.",
            "On the black list: reported stolen or lost. It will not work on Kazakhstan's networks."),
        Reason.InvalidImei => (
            "IMEI недействителен (неверная контрольная цифра или несуществующий код): устройство в сетях Казахстана работать не будет.",
            "IMEI жарамсыз (бақылау цифры қате немесе мұндай код жоқ): құрылғы Қазақстан желілерінде жұмыс істемейді.",
            "Invalid IMEI (wrong check digit or a code no device has): it will not work on Kazakhstan's networks."),
        Reason.Cloned => (
            "IMEI закреплён за другими абонентами: с вашей SIM-картой он считается клоном, услуги связи заблокированы. Обратитесь к оператору.",
            "IMEI басқа абоненттерге бекітілген: сіздің SIM-картаңызбен ол клон болып саналады, байланыс қызметтері бұғатталған. Операторға хабарласыңыз.",
            "This IMEI is paired with other subscribers: with your SIM it counts as a clone and is blocked. Contact your operator."),
        Reason.GreyExpired => (
            $"Устройство в «черном списке»: временный доступ истёк без верификации. Услуги связи в нём заблокированы. Чтобы разблокировать устройство, пройдите его верификацию в госбазе: {Portal}",
            $"Құрылғы «қара тізімде»: уақытша рұқсат мерзімі сәйкестендірусіз аяқталды. Бұл құрылғыдағы байланыс қызметтері бұғатталды. Құрылғыны бұғаттан шығару үшін оны мемлекеттік базада сәйкестендіріңіз: {Portal}",
            $"On the black list: its temporary access ended without verification. Verify it at {Portal} to unblock it."),
        _ => (
            "Устройство в «черном списке» государственной базы данных идентификационных кодов. Услуги связи в нём заблокированы.",
            "Құрылғы мемлекеттік сәйкестендіру кодтарының дерекқорында «қара тізімде». Бұл құрылғыдағы байланыс қызметтері бұғатталған.",
            "On the black list of the national IMEI database. It will not work on Kazakhstan's networks."),
    };
}
