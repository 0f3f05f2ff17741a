using System.Diagnostics;
using ImeiEir.Core;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Registry;

/// <summary>
/// Applies an admin delta through the registry's one write path. Atomic unless partial: a batch with any bad line
/// appends nothing and the report lists every bad line. Otherwise each valid line is
/// <see cref="DeltaOutcome.Unchanged"/> when its record is already so (nothing is appended), else appended with the
/// next sequence number(s), and bad lines are reported <see cref="DeltaOutcome.Rejected"/> in their place.
/// </summary>
internal static class DeltaWrite
{
    /// <summary>Plans, appends and commits the batch; completes when the commit is durable and published.</summary>
    /// <exception cref="ArgumentException">The batch failed as a whole (<see cref="DeltaBatch.Failure"/>).</exception>
    public static async Task<DeltaReport> ApplyAsync(RegistryWriter writer, DeltaBatch batch, bool partial, Attribution attribution, ILogger logger, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Failure is not null) throw new ArgumentException($"The delta was refused as a whole: {batch.Failure.Detail}", nameof(batch));
        if (!partial && batch.Errors.Count > 0)
        {
            var bad = new DeltaLineOutcome[batch.Errors.Count];
            for (int i = 0; i < bad.Length; i++)
                bad[i] = new DeltaLineOutcome(batch.Errors[i].Line, DeltaOutcome.Rejected, null, 0, 0, batch.Errors[i].Reason);
            return new DeltaReport(false, bad, 0, 0, bad.Length, 0, 0);
        }

        long started = Stopwatch.GetTimestamp();
        var outcomes = new DeltaLineOutcome[batch.LineCount];
        int applied = 0, unchanged = 0;
        IReadOnlyList<Change> changes = await writer.WriteAsync(write =>
        {
            int errorIndex = 0, lineIndex = 0, outcomeIndex = 0;
            while (outcomeIndex < outcomes.Length)
            {
                if (errorIndex < batch.Errors.Count
                    && (lineIndex >= batch.Lines.Count || batch.Errors[errorIndex].Line < batch.Lines[lineIndex].Line))
                {
                    DeltaLineError error = batch.Errors[errorIndex++];
                    outcomes[outcomeIndex++] = new DeltaLineOutcome(error.Line, DeltaOutcome.Rejected, null, 0, 0, error.Reason);
                    continue;
                }

                DeltaLine line = batch.Lines[lineIndex++];
                (ulong sequence, ulong newImeiSequence) = Plan(write, line);
                if (sequence == 0)
                {
                    unchanged++;
                    outcomes[outcomeIndex++] = new DeltaLineOutcome(line.Line, DeltaOutcome.Unchanged, line.Imei, 0, 0, null);
                }
                else
                {
                    applied++;
                    outcomes[outcomeIndex++] = new DeltaLineOutcome(line.Line, DeltaOutcome.Applied, line.Imei, sequence, newImeiSequence, null);
                }
            }
        }, RegistryWriter.DeltaCommitFailed, attribution, ct).ConfigureAwait(false);

        if (changes.Count == 0) return new DeltaReport(true, outcomes, applied, unchanged, batch.Errors.Count, 0, 0);
        ulong first = changes[0].Sequence, last = changes[^1].Sequence;
        RegistryLog.BatchCommitted(logger, first, last, applied, unchanged, batch.Errors.Count,
            (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return new DeltaReport(true, outcomes, applied, unchanged, batch.Errors.Count, first, last);
    }

    /// <summary>
    /// Appends what one line asks for, unless its records are already so. Returns the change number (a replace:
    /// the old IMEI's, and the new IMEI's second), or 0 when nothing was appended.
    /// </summary>
    private static (ulong Sequence, ulong NewImeiSequence) Plan(PlannedWrite write, in DeltaLine line)
    {
        switch (line.Op)
        {
            case DeltaOp.Set:
                uint deadline = line.List == ListKind.Grey ? line.DeadlineUnixSeconds : 0;
                if (write.TryGet(line.Imei, out ImeiRecord current) && current.List == line.List
                    && current.Reason == line.Reason && current.DeadlineUnixSeconds == deadline)
                    return (0, 0);
                return (write.Append(new Change
                {
                    ImeiKey = line.Imei.Key, Op = ChangeOp.Set, List = line.List, Reason = line.Reason,
                    DeadlineUnixSeconds = deadline, Origin = ChangeOrigin.Admin,
                }), 0);
            case DeltaOp.Remove:
                if (!write.TryGet(line.Imei, out ImeiRecord existing) || existing.List == ListKind.None) return (0, 0);
                return (write.Append(new Change
                {
                    ImeiKey = line.Imei.Key, Op = ChangeOp.Remove, Reason = line.Reason, Origin = ChangeOrigin.Admin,
                }), 0);
            case DeltaOp.Replace:
                write.TryGet(line.Imei, out ImeiRecord oldRecord);
                write.TryGet(line.NewImei, out ImeiRecord newRecord);
                if (oldRecord.List == ListKind.Black && oldRecord.Reason == Reason.ServiceReplacement
                    && newRecord.List == ListKind.White && newRecord.Reason == Reason.ServiceReplacement)
                    return (0, 0);
                // Two changes with consecutive numbers, each naming the other (Change remarks).
                ulong oldSequence = write.Append(new Change
                {
                    ImeiKey = line.Imei.Key, Op = ChangeOp.Set, List = ListKind.Black, Reason = Reason.ServiceReplacement,
                    Origin = ChangeOrigin.Admin, RelatedImeiKey = line.NewImei.Key,
                });
                ulong newSequence = write.Append(new Change
                {
                    ImeiKey = line.NewImei.Key, Op = ChangeOp.Set, List = ListKind.White, Reason = Reason.ServiceReplacement,
                    Origin = ChangeOrigin.Admin, RelatedImeiKey = line.Imei.Key,
                });
                return (oldSequence, newSequence);
            default:
                return (0, 0);
        }
    }
}
