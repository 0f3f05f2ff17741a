namespace ImeiEir.Notify.Notices;

/// <summary>What a notice kind needs, whoever asks: the intake's check and the texts' check agree by asking here.</summary>
internal static class NoticeKindFacts
{
    /// <summary>Grey start and the daily reminder name the deadline; the black notices do not.</summary>
    public static bool NeedsDeadline(this NoticeKind kind) => kind is NoticeKind.GreyStart or NoticeKind.DailyReminder;
}
