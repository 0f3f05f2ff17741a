using ImeiEir.Core;

namespace ImeiEir.Registry;

/// <summary>What a grace extension did to one selected record.</summary>
public enum GraceOutcome : byte
{
    /// <summary>Not grey, and not a grey-expired record to reinstate: left alone and not counted.</summary>
    NotSelected,

    /// <summary>Grey with an earlier deadline: the deadline moved to the new date.</summary>
    Extended,

    /// <summary>Grey whose deadline is already the new date or later (or that never expires): a deadline never moves earlier.</summary>
    Unchanged,

    /// <summary>Black (grey-expired) whose grey deadline fell before the new date: grey again, until the new date.</summary>
    Reinstated,
}

/// <summary>
/// A grey record's expiry as the change log tells it: the black (grey-expired) change that ended it, and the grey
/// record before it (its deadline and reason). Black records keep no deadline, so it is read from the history.
/// </summary>
/// <param name="BlackSequence">The grey-expired change's number: the record must still carry it to be reinstated.</param>
/// <param name="OldDeadlineUnixSeconds">The deadline of the grey record that expired.</param>
/// <param name="GreyReason">That grey record's reason, which a reinstated record gets back.</param>
public readonly record struct ExpiredGrey(ulong BlackSequence, uint OldDeadlineUnixSeconds, Reason GreyReason);

/// <summary>Counts of one grace extension, and the change numbers it wrote (0 and 0 when none).</summary>
public sealed record GraceExtensionReport(int Extended, int Unchanged, int Reinstated, ulong FirstSequence, ulong LastSequence);

/// <summary>
/// The rules of a grace extension (regulators extend grace periods): each selected grey record's deadline moves to
/// the new date, never earlier, one change per record (the feed carries it to every node, and reminders read the
/// record's deadline); with reinstatement, a record the expiry turned black whose old deadline is before the new date
/// is grey again until it.
/// </summary>
internal static class GraceExtension
{
    /// <summary>The rule for one record as it stands; <paramref name="expired"/> is its expiry when it was read from the history.</summary>
    public static GraceOutcome Decide(in ImeiRecord record, uint untilUnixSeconds, bool reinstate, ExpiredGrey? expired)
    {
        switch (record.List)
        {
            case ListKind.Grey:
                // A deadline of 0 never expires (rule 6), so it is already later than any date.
                return record.DeadlineUnixSeconds == 0 || record.DeadlineUnixSeconds >= untilUnixSeconds
                    ? GraceOutcome.Unchanged
                    : GraceOutcome.Extended;
            case ListKind.Black when record.Reason == Reason.GreyExpired:
                // The history was read before the write: only the very record it described may be reinstated.
                return reinstate && expired is { } e && e.BlackSequence == record.Sequence && e.OldDeadlineUnixSeconds < untilUnixSeconds
                    ? GraceOutcome.Reinstated
                    : GraceOutcome.NotSelected;
            default:
                return GraceOutcome.NotSelected;
        }
    }

    /// <summary>Plans the extension over <paramref name="candidates"/> (each once) and returns the counts.</summary>
    public static (int Extended, int Unchanged, int Reinstated) Plan(PlannedWrite write, IEnumerable<Imei> candidates, uint untilUnixSeconds,
        bool reinstate, IReadOnlyDictionary<ulong, ExpiredGrey> expired)
    {
        int extended = 0, unchanged = 0, reinstated = 0;
        foreach (Imei imei in candidates)
        {
            if (!write.TryGet(imei, out ImeiRecord record)) continue;
            ExpiredGrey? history = expired.TryGetValue(imei.Key, out ExpiredGrey e) ? e : null;
            switch (Decide(record, untilUnixSeconds, reinstate, history))
            {
                case GraceOutcome.Extended:
                    extended++;
                    write.Append(Grey(imei, record.Reason, untilUnixSeconds));
                    break;
                case GraceOutcome.Reinstated:
                    reinstated++;
                    write.Append(Grey(imei, history!.Value.GreyReason, untilUnixSeconds));
                    break;
                case GraceOutcome.Unchanged:
                    unchanged++;
                    break;
            }
        }
        return (extended, unchanged, reinstated);
    }

    private static Change Grey(Imei imei, Reason reason, uint deadline) => new()
    {
        ImeiKey = imei.Key, Op = ChangeOp.Set, List = ListKind.Grey, Reason = reason, DeadlineUnixSeconds = deadline, Origin = ChangeOrigin.Admin,
    };
}
