using ImeiEir.Notify.Notices;

namespace ImeiEir.Notify.Subscribers;

/// <summary>One entry of the operator's subscriber directory.</summary>
/// <param name="Imsi">5 to 15 digits: the key the notices carry.</param>
/// <param name="Msisdn">The number the SMS goes to: 7 to 15 digits, international format without '+' (77011234567).</param>
/// <param name="Iin">The subscriber's IIN (ИИН / ЖСН): 12 digits.</param>
/// <param name="Language">The language of the texts this subscriber gets.</param>
/// <param name="TemplateSet">The template set this subscriber gets (the directory's optional fifth column); null: by home network.</param>
public sealed record Subscriber(string Imsi, string Msisdn, string Iin, NoticeLanguage Language, string? TemplateSet = null);
