namespace ImeiEir.Notify.Notices;

/// <summary>Lower-case names as the API and eirctl show them.</summary>
public static class NoticeNames
{
    public static string ToName(this NoticeState state) => state switch
    {
        NoticeState.Parked => "parked",
        NoticeState.Pending => "pending",
        NoticeState.Sending => "sending",
        NoticeState.Sent => "sent",
        NoticeState.Delivered => "delivered",
        NoticeState.Undelivered => "undelivered",
        NoticeState.Failed => "failed",
        _ => "unknown",
    };

    public static string ToName(this NoticeKind kind) => kind switch
    {
        NoticeKind.GreyStart => "grey-start",
        NoticeKind.DailyReminder => "daily-reminder",
        NoticeKind.Blacklisted => "blacklisted",
        NoticeKind.BlockedAttach => "blocked-attach",
        _ => "unknown",
    };
}
