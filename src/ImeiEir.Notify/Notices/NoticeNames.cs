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
        NoticeKind.ImeiHelp => "imei-help",
        NoticeKind.StatusHelp => "status-help",
        _ => "unknown",
    };

    /// <summary>Parses a kind's name as <see cref="ToName(NoticeKind)"/> writes it (the template set files use them).</summary>
    public static bool TryParseKind(ReadOnlySpan<char> name, out NoticeKind kind)
    {
        foreach (NoticeKind candidate in Enum.GetValues<NoticeKind>())
        {
            if (name.Equals(candidate.ToName(), StringComparison.Ordinal)) { kind = candidate; return true; }
        }
        kind = default;
        return false;
    }
}
