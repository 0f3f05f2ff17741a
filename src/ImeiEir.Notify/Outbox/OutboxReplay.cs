using ImeiEir.Notify.Notices;
using ImeiEir.Notify.Storage;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Notify.Outbox;

/// <summary>
/// Reads the outbox journal back at open: the last record of each notice wins (a record is a notice's whole state),
/// a torn last record is cut, and a notice that was Sending when the process stopped becomes Pending again, due at
/// once: unknown whether Kannel took it, it is sent again (the one duplicate the outbox allows).
/// </summary>
internal static class OutboxReplay
{
    /// <summary>Opens the journal at <paramref name="path"/>; <paramref name="notices"/> are the notices it holds, oldest first.</summary>
    public static JournalFile Open(string path, long nowUnixMs, ILogger logger, out List<NoticeRecord> notices, out int inFlight)
    {
        var last = new Dictionary<string, NoticeRecord>(StringComparer.Ordinal);
        JournalFile journal = JournalFile.Open(path,
            payload =>
            {
                NoticeRecord record = NoticeRecordCodec.Decode(payload);
                last[record.Key] = record;
            },
            out long discarded, nowUnixMs);
        if (discarded > 0) OutboxLog.TornTail(logger, discarded);

        notices = new List<NoticeRecord>(last.Count);
        inFlight = 0;
        foreach (NoticeRecord record in last.Values.OrderBy(r => r.CreatedMs))
        {
            if (record.State == NoticeState.Sending)
            {
                notices.Add(record with { State = NoticeState.Pending, NextAttemptMs = 0 });
                inFlight++;
            }
            else
            {
                notices.Add(record);
            }
        }
        return journal;
    }
}
