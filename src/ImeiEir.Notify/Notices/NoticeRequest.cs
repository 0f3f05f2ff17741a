using System.Globalization;
using ImeiEir.Core;

namespace ImeiEir.Notify.Notices;

/// <summary>
/// One notice to send: the public intake of the notifier (<c>NoticeOutbox.Enqueue</c>).
/// </summary>
/// <param name="Kind">Which text.</param>
/// <param name="Imei">The device.</param>
/// <param name="Imsi">The subscriber (5 to 15 digits); the directory turns it into MSISDN, IIN and language.</param>
/// <param name="DeadlineUnixSeconds">The grey deadline (Unix seconds): required for GreyStart and DailyReminder, printed as
/// its Asia/Almaty date; 0 for the black notices.</param>
/// <param name="LocalDay">The local (Asia/Almaty) day the notice is for: required for DailyReminder and BlockedAttach,
/// which are at most once a day; informational for the others.</param>
public readonly record struct NoticeRequest(NoticeKind Kind, Imei Imei, string Imsi, uint DeadlineUnixSeconds, DateOnly LocalDay)
{
    /// <summary>
    /// The idempotency key: the same notice asked for twice has the same key and is stored once.
    /// <code>
    ///   GreyStart      grey-{imei15}-{imsi}-{deadline unix seconds}
    ///   DailyReminder  reminder-{imei15}-{imsi}-{local day yyyyMMdd}
    ///   Blacklisted    black-{imei15}-{imsi}
    ///   BlockedAttach  blocked-{imei15}-{imsi}-{local day yyyyMMdd}
    ///   ImeiHelp       help-{imei15}-{imsi}-{deadline unix seconds}
    ///   StatusHelp     status-help-{imei15}-{imsi}
    /// </code>
    /// URL-safe, so it goes into the dlr-url as it is.
    /// </summary>
    public string Key => Kind switch
    {
        NoticeKind.GreyStart => string.Create(CultureInfo.InvariantCulture, $"grey-{Imei}-{Imsi}-{DeadlineUnixSeconds}"),
        NoticeKind.DailyReminder => string.Create(CultureInfo.InvariantCulture, $"reminder-{Imei}-{Imsi}-{LocalDay:yyyyMMdd}"),
        NoticeKind.Blacklisted => string.Create(CultureInfo.InvariantCulture, $"black-{Imei}-{Imsi}"),
        NoticeKind.BlockedAttach => string.Create(CultureInfo.InvariantCulture, $"blocked-{Imei}-{Imsi}-{LocalDay:yyyyMMdd}"),
        NoticeKind.ImeiHelp => string.Create(CultureInfo.InvariantCulture, $"help-{Imei}-{Imsi}-{DeadlineUnixSeconds}"),
        NoticeKind.StatusHelp => string.Create(CultureInfo.InvariantCulture, $"status-help-{Imei}-{Imsi}"),
        _ => throw new ArgumentOutOfRangeException(nameof(Kind), Kind, "not a notice kind"),
    };

    /// <summary>What is wrong with the request, or null when it can be enqueued.</summary>
    public string? Problem()
    {
        if (!Enum.IsDefined(Kind)) return $"{(int)Kind} is not a notice kind";
        if (Imsi is null || !ImsiText.IsValidImsi(Imsi)) return $"IMSI '{Imsi}' is not 5 to 15 digits";
        if ((Kind.NeedsDeadline() || Kind == NoticeKind.ImeiHelp) && DeadlineUnixSeconds == 0) return $"{Kind} needs the grey deadline";
        if (Kind is NoticeKind.DailyReminder or NoticeKind.BlockedAttach && LocalDay == default) return $"{Kind} needs the local day";
        return null;
    }
}
