namespace ImeiEir.Node.Http;

/// <summary>The check page's own words (the verdicts are the lookup's, <see cref="Verdicts"/>), per language.</summary>
internal sealed record CheckPageTexts(
    string Title, string Prompt, string Button, string Hint, string ImeiLabel, string Manufacturer, string Model,
    string NotAnImei, string NotReady, string TooMany)
{
    public static CheckPageTexts For(string language) => language switch
    {
        "kk" => Kk,
        "en" => En,
        _ => Ru,
    };

    private static readonly CheckPageTexts Ru = new(
        "Проверка IMEI",
        "IMEI телефона (15 цифр)",
        "Проверить",
        "Наберите *#06# на телефоне, чтобы увидеть IMEI.",
        "IMEI",
        "Производитель",
        "Модель",
        "«{0}» — не IMEI: введите 14, 15 или 16 цифр (наберите *#06# на телефоне, чтобы увидеть его).",
        "Узел ещё загружает списки из реестра. Повторите проверку через минуту.",
        "Слишком много проверок с вашего адреса. Повторите позже.");

    private static readonly CheckPageTexts Kk = new(
        "IMEI тексеру",
        "Телефонның IMEI-і (15 цифр)",
        "Тексеру",
        "IMEI-ді көру үшін телефонда *#06# теріңіз.",
        "IMEI",
        "Өндіруші",
        "Үлгі",
        "«{0}» IMEI емес: 14, 15 немесе 16 цифр енгізіңіз (оны көру үшін телефонда *#06# теріңіз).",
        "Түйін тізімдерді тізілімнен әлі жүктеп жатыр. Бір минуттан кейін қайта тексеріңіз.",
        "Сіздің мекенжайыңыздан тексерулер тым көп. Кейінірек қайталаңыз.");

    private static readonly CheckPageTexts En = new(
        "IMEI check",
        "The phone's IMEI (15 digits)",
        "Check",
        "Dial *#06# on the phone to see its IMEI.",
        "IMEI",
        "Manufacturer",
        "Model",
        "'{0}' is not an IMEI: give 14, 15 or 16 digits (dial *#06# on the phone to see it).",
        "This node is still loading the lists from the registry. Check again in a minute.",
        "Too many checks from your address. Try again later.");
}
