using ImeiEir.Notify.Notices;

namespace ImeiEir.Notify.Outbox;

/// <summary>
/// Which notices the outbox may drop: the finished ones (sent, delivered, undelivered, failed) whose day is more than
/// the retention before today. A notice's day is a reminder's or blocked-attach notice's local day, a grey start's
/// deadline, a blacklisted notice's day. By then its key cannot be asked for again (a day passed, a deadline passed),
/// so no duplicate can follow. Pending and parked notices are never dropped.
/// </summary>
internal sealed class NoticeRetention(NoticeCalendar calendar)
{
    /// <summary>The notices of <paramref name="notices"/> to drop on <paramref name="today"/>, keeping <paramref name="retainDays"/> days.</summary>
    public List<NoticeRecord> Expired(IEnumerable<NoticeRecord> notices, DateOnly today, int retainDays)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retainDays, 1);
        DateOnly cutoff = today.AddDays(-retainDays);
        return [.. notices.Where(r => IsFinished(r.State) && DayOf(r) < cutoff)];
    }

    private static bool IsFinished(NoticeState state) =>
        state is NoticeState.Sent or NoticeState.Delivered or NoticeState.Undelivered or NoticeState.Failed;

    private DateOnly DayOf(NoticeRecord record) =>
        record.Kind is NoticeKind.GreyStart or NoticeKind.ImeiHelp && record.DeadlineUnixSeconds != 0 ? calendar.DeadlineDate(record.DeadlineUnixSeconds) : record.LocalDay;
}
