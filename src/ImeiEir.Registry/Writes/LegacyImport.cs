using ImeiEir.Core;

namespace ImeiEir.Registry;

/// <summary>What a legacy-dump line did.</summary>
public enum LegacyOutcome : byte
{
    /// <summary>Unknown, removed or grey: now white, reason legacy.</summary>
    Imported,

    /// <summary>Already white (any reason): nothing written.</summary>
    Unchanged,

    /// <summary>Black: it stays black (a list decision outranks the dump); nothing written, reported.</summary>
    KeptBlack,

    /// <summary>First seen at or after the regime start: not legacy, nothing written, reported.</summary>
    TooLate,
}

/// <summary>
/// «Все устройства, подключённые к сети до 25.05.2025, автоматически занесены в Белый список.» The rules of a legacy
/// import, one line at a time through the one write path: a device first seen before <c>Policy:RegimeStart</c>
/// becomes white (legacy) unless it is black or already white; a grey one becomes white, since it was in the network
/// before the regime. A second import of the same dump writes nothing.
/// </summary>
internal static class LegacyImport
{
    /// <summary>The rule for one line, given the IMEI's record as it stands (list None when unknown or removed).</summary>
    public static LegacyOutcome Decide(ListKind current, long firstSeenUnixSeconds, long regimeStartUnixSeconds)
    {
        if (firstSeenUnixSeconds >= regimeStartUnixSeconds) return LegacyOutcome.TooLate;
        return current switch
        {
            ListKind.Black => LegacyOutcome.KeptBlack,
            ListKind.White => LegacyOutcome.Unchanged,
            _ => LegacyOutcome.Imported,
        };
    }

    /// <summary>Plans every line of <paramref name="dump"/>; returns each line's outcome in order, with its change number (0: none).</summary>
    public static (LegacyOutcome Outcome, ulong Sequence)[] Plan(PlannedWrite write, LegacyDump dump, long regimeStartUnixSeconds)
    {
        var outcomes = new (LegacyOutcome, ulong)[dump.Entries.Count];
        for (int i = 0; i < outcomes.Length; i++)
        {
            LegacyEntry entry = dump.Entries[i];
            ListKind current = write.TryGet(entry.Imei, out ImeiRecord record) ? record.List : ListKind.None;
            LegacyOutcome outcome = Decide(current, entry.FirstSeenUnixSeconds, regimeStartUnixSeconds);
            ulong sequence = outcome != LegacyOutcome.Imported ? 0 : write.Append(new Change
            {
                ImeiKey = entry.Imei.Key, Op = ChangeOp.Set, List = ListKind.White, Reason = Reason.Legacy, Origin = ChangeOrigin.Admin,
            });
            outcomes[i] = (outcome, sequence);
        }
        return outcomes;
    }
}
