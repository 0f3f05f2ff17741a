using System.Diagnostics;
using ImeiEir.Core;
using ImeiEir.Store;
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
    public static Task<DeltaReport> ApplyAsync(RegistryWriter writer, DeltaBatch batch, bool partial, Attribution attribution, ILogger logger, CancellationToken ct) =>
        ApplyAsync(writer, batch, partial, dryRun: false, attribution, logger, ct);

    /// <summary>
    /// As <see cref="ApplyAsync(RegistryWriter, DeltaBatch, bool, Attribution, ILogger, CancellationToken)"/>; a
    /// <paramref name="dryRun"/> plans every line as a partial push would (against the current records, under the
    /// write gate) and then throws from the plan, so the writer appends nothing: no change, no attribution. Its
    /// report has no sequence numbers, and is accepted when the push as sent would be.
    /// </summary>
    public static async Task<DeltaReport> ApplyAsync(RegistryWriter writer, DeltaBatch batch, bool partial, bool dryRun, Attribution attribution, ILogger logger, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Failure is not null) throw new ArgumentException($"The delta was refused as a whole: {batch.Failure.Detail}", nameof(batch));
        if (!partial && !dryRun && batch.Errors.Count > 0)
        {
            var bad = new DeltaLineOutcome[batch.Errors.Count];
            for (int i = 0; i < bad.Length; i++)
                bad[i] = new DeltaLineOutcome(batch.Errors[i].Line, DeltaOutcome.Rejected, null, 0, 0, batch.Errors[i].Reason);
            return new DeltaReport(false, bad, 0, 0, bad.Length, 0, 0);
        }

        long started = Stopwatch.GetTimestamp();
        var outcomes = new DeltaLineOutcome[batch.LineCount];
        int applied = 0, unchanged = 0, refused = 0;
        IReadOnlyList<Change> changes;
        try
        {
            changes = await WriteAsync().ConfigureAwait(false);
        }
        catch (DryRunFinished)
        {
            int rejectedLines = batch.Errors.Count + refused;
            return new DeltaReport(partial || rejectedLines == 0, outcomes, applied, unchanged, rejectedLines, 0, 0);
        }
        catch (PlanRefusedException e)
        {
            // An atomic batch with a line only the records can refuse (a ninth pair): nothing was appended.
            return new DeltaReport(false, e.Refusals, 0, 0, e.Refusals.Count, 0, 0);
        }

        int rejected = batch.Errors.Count + refused;
        if (changes.Count == 0) return new DeltaReport(true, outcomes, applied, unchanged, rejected, 0, 0);
        ulong first = changes[0].Sequence, last = changes[^1].Sequence;
        RegistryLog.BatchCommitted(logger, first, last, applied, unchanged, rejected,
            (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return new DeltaReport(true, outcomes, applied, unchanged, rejected, first, last);

        Task<IReadOnlyList<Change>> WriteAsync() => writer.WriteAsync(write =>
        {
            applied = unchanged = refused = 0;
            var refusals = new List<DeltaLineOutcome>();
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
                (ulong sequence, ulong newImeiSequence, string? refusal) = Plan(write, line);
                if (refusal is not null)
                {
                    refused++;
                    outcomes[outcomeIndex++] = new DeltaLineOutcome(line.Line, DeltaOutcome.Rejected, null, 0, 0, refusal);
                    refusals.Add(outcomes[outcomeIndex - 1]);
                }
                else if (sequence == 0)
                {
                    unchanged++;
                    outcomes[outcomeIndex++] = new DeltaLineOutcome(line.Line, DeltaOutcome.Unchanged, line.Imei, 0, 0, null);
                }
                else
                {
                    applied++;
                    outcomes[outcomeIndex++] = dryRun
                        ? new DeltaLineOutcome(line.Line, DeltaOutcome.Applied, line.Imei, 0, 0, null)
                        : new DeltaLineOutcome(line.Line, DeltaOutcome.Applied, line.Imei, sequence, newImeiSequence, null);
                }
            }
            if (dryRun) throw new DryRunFinished();
            // Thrown from the plan, so the writer appends nothing (RegistryWriter.WriteAsync).
            if (!partial && refusals.Count > 0) throw new PlanRefusedException(refusals);
        }, RegistryWriter.DeltaCommitFailed, attribution, ct);
    }

    /// <summary>A dry run planned every line; thrown from the plan so the writer appends nothing.</summary>
    private sealed class DryRunFinished() : Exception("A dry run appends nothing.");

    /// <summary>An atomic batch's lines refused while planning; nothing is appended.</summary>
    private sealed class PlanRefusedException(IReadOnlyList<DeltaLineOutcome> refusals) : Exception("The batch has lines the records refuse.")
    {
        public IReadOnlyList<DeltaLineOutcome> Refusals { get; } = refusals;
    }

    /// <summary>
    /// Appends what one line asks for, unless its records are already so. Returns the change number (a replace:
    /// the old IMEI's, and the new IMEI's second), or 0 when nothing was appended; or why the records refuse it.
    /// </summary>
    private static (ulong Sequence, ulong NewImeiSequence, string? Refusal) Plan(PlannedWrite write, in DeltaLine line)
    {
        switch (line.Op)
        {
            case DeltaOp.Pair or DeltaOp.Unpair:
                return PlanPairing(write, line);
            case DeltaOp.Set:
                uint deadline = line.List == ListKind.Grey ? line.DeadlineUnixSeconds : 0;
                if (write.TryGet(line.Imei, out ImeiRecord current) && current.List == line.List
                    && current.Reason == line.Reason && current.DeadlineUnixSeconds == deadline)
                    return (0, 0, null);
                return (write.Append(new Change
                {
                    ImeiKey = line.Imei.Key, Op = ChangeOp.Set, List = line.List, Reason = line.Reason,
                    DeadlineUnixSeconds = deadline, Origin = ChangeOrigin.Admin,
                }), 0, null);
            case DeltaOp.Remove:
                if (!write.TryGet(line.Imei, out ImeiRecord existing) || existing.List == ListKind.None) return (0, 0, null);
                return (write.Append(new Change
                {
                    ImeiKey = line.Imei.Key, Op = ChangeOp.Remove, Reason = line.Reason, Origin = ChangeOrigin.Admin,
                }), 0, null);
            case DeltaOp.Replace:
                write.TryGet(line.Imei, out ImeiRecord oldRecord);
                write.TryGet(line.NewImei, out ImeiRecord newRecord);
                if (oldRecord.List == ListKind.Black && oldRecord.Reason == Reason.ServiceReplacement
                    && newRecord.List == ListKind.White && newRecord.Reason == Reason.ServiceReplacement)
                    return (0, 0, null);
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
                return (oldSequence, newSequence, null);
            default:
                return (0, 0, null);
        }
    }

    /// <summary>
    /// A pair is unchanged when the IMSI is already one of the IMEI's, refused when it has <see cref="PairTable.MaxPairs"/>;
    /// an unpair is unchanged when the IMSI is not one of them.
    /// </summary>
    private static (ulong Sequence, ulong NewImeiSequence, string? Refusal) PlanPairing(PlannedWrite write, in DeltaLine line)
    {
        Span<PackedImsi> pairs = stackalloc PackedImsi[PairTable.MaxPairs];
        int count = write.GetPairs(line.Imei, pairs);
        bool present = pairs[..count].Contains(line.Imsi);
        if (present == (line.Op == DeltaOp.Pair)) return (0, 0, null);
        if (line.Op == DeltaOp.Pair && count >= PairTable.MaxPairs)
            return (0, 0, $"imei {line.Imei} already has {PairTable.MaxPairs} rightful IMSIs, the most it may have: unpair one first");
        return (write.Append(new Change
        {
            ImeiKey = line.Imei.Key, Op = line.Op == DeltaOp.Pair ? ChangeOp.Pair : ChangeOp.Unpair, Imsi = line.Imsi,
            Origin = ChangeOrigin.Admin,
        }), 0, null);
    }
}
