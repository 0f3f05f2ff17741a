using ImeiEir.Core;
using ImeiEir.Notify.Notices;
using ImeiEir.Notify.Subscribers;

namespace ImeiEir.Notify.Texts;

/// <summary>
/// A notice's text for its subscriber: the template of its kind in the subscriber's set and language, with the device,
/// the number, the IIN and the grey deadline's local date (<see cref="NoticeCalendar.DeadlineDate"/>) filled in.
/// </summary>
internal sealed class NoticeRenderer
{
    private readonly NoticeTemplates _templates;
    private readonly NoticeCalendar _calendar;

    public NoticeRenderer(NoticeTemplates templates, NoticeCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(templates);
        ArgumentNullException.ThrowIfNull(calendar);
        _templates = templates;
        _calendar = calendar;
    }

    /// <summary>The text to send; <paramref name="deadlineUnixSeconds"/> is 0 for the kinds without a deadline.</summary>
    public string Render(NoticeKind kind, Imei imei, uint deadlineUnixSeconds, Subscriber subscriber)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        DateOnly deadline = deadlineUnixSeconds == 0 ? default : _calendar.DeadlineDate(deadlineUnixSeconds);
        return _templates.Render(_templates.For(subscriber), kind, subscriber.Language, imei, subscriber.Msisdn, subscriber.Iin, deadline);
    }
}
