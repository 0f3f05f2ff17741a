namespace ImeiEir.Notify.Notices;

/// <summary>
/// The SMS notices of the regime (seed "SMS-информинги"). The numeric values are written to the outbox journal:
/// append new kinds, never renumber.
/// </summary>
public enum NoticeKind : byte
{
    /// <summary>«IMEI в «Сером списке» в БДИК, предоставляется временный доступ»: first sighting, access until the deadline.</summary>
    GreyStart = 1,

    /// <summary>«Ежедневное напоминание (около 12:00)»: once a local day while the device stays grey.</summary>
    DailyReminder = 2,

    /// <summary>«Прошли выделенные 30 дней – IMEI внесен в «Черный список»»: the grey period expired.</summary>
    Blacklisted = 3,

    /// <summary>«При попытке регистрации устройства, когда IMEI в «Черном списке»»: a black device attached.</summary>
    BlockedAttach = 4,

    /// <summary>How to find the IMEI (*#06#, the box, the lid): right after the grey-start notice, where the subscriber's
    /// template set has this text; once per (IMEI, IMSI, deadline), like the grey start it follows.</summary>
    ImeiHelp = 5,

    /// <summary>Where to check the status and verify, and how to find the IMEI: after the first blocked attach of an
    /// (IMEI, IMSI), where the subscriber's template set has this text; once per (IMEI, IMSI).</summary>
    StatusHelp = 6,
}
