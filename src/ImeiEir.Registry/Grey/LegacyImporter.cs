using ImeiEir.Core;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Registry;

/// <summary>A line of a legacy import worth reporting: kept black, too late, or bad (then without an IMEI).</summary>
/// <param name="Line">1-based line number in the dump.</param>
/// <param name="Imei">The IMEI, or null for a bad line.</param>
/// <param name="Outcome">Null for a bad line.</param>
/// <param name="Reason">Why a bad line is bad; null otherwise.</param>
public sealed record LegacyLineReport(int Line, Imei? Imei, LegacyOutcome? Outcome, string? Reason);

/// <summary>The counts of one legacy import, the lines worth reporting in order, and the change numbers written (0 and 0 when none).</summary>
public sealed record LegacyImportReport(int Imported, int Unchanged, int KeptBlack, int TooLate, int Rejected, ulong FirstSequence,
    ulong LastSequence, IReadOnlyList<LegacyLineReport> Lines);

/// <summary>
/// Runs a legacy import (<see cref="LegacyImport"/>) as one write through the registry's one write path, as a
/// delta is: the dump's good lines are planned and committed once, bad lines are reported and skipped.
/// </summary>
internal static class LegacyImporter
{
    public static async Task<LegacyImportReport> ImportAsync(RegistryService registry, LegacyDump dump, long regimeStartUnixSeconds,
        Attribution by, ILogger logger, CancellationToken ct)
    {
        (LegacyOutcome Outcome, ulong Sequence)[] outcomes = [];
        IReadOnlyList<Change> changes = await registry.WriteAsync(
            write => outcomes = LegacyImport.Plan(write, dump, regimeStartUnixSeconds), by, ct).ConfigureAwait(false);

        int imported = 0, unchanged = 0, keptBlack = 0, tooLate = 0;
        var lines = new List<LegacyLineReport>();
        int errorIndex = 0;
        for (int i = 0; i < outcomes.Length; i++)
        {
            LegacyEntry entry = dump.Entries[i];
            while (errorIndex < dump.Errors.Count && dump.Errors[errorIndex].Line < entry.Line)
                lines.Add(Bad(dump.Errors[errorIndex++]));
            switch (outcomes[i].Outcome)
            {
                case LegacyOutcome.Imported: imported++; break;
                case LegacyOutcome.Unchanged: unchanged++; break;
                case LegacyOutcome.KeptBlack: keptBlack++; lines.Add(new LegacyLineReport(entry.Line, entry.Imei, LegacyOutcome.KeptBlack, null)); break;
                case LegacyOutcome.TooLate: tooLate++; lines.Add(new LegacyLineReport(entry.Line, entry.Imei, LegacyOutcome.TooLate, null)); break;
            }
        }
        while (errorIndex < dump.Errors.Count) lines.Add(Bad(dump.Errors[errorIndex++]));

        ulong first = changes.Count == 0 ? 0 : changes[0].Sequence, last = changes.Count == 0 ? 0 : changes[^1].Sequence;
        AdminWriteLog.LegacyImported(logger, imported, unchanged, keptBlack, tooLate, dump.Errors.Count, first, last, by.Actor, by.Comment ?? "");
        return new LegacyImportReport(imported, unchanged, keptBlack, tooLate, dump.Errors.Count, first, last, lines);
    }

    private static LegacyLineReport Bad(DeltaLineError error) => new(error.Line, null, null, error.Reason);
}
