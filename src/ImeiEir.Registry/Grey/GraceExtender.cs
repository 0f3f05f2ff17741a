using ImeiEir.Core;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Registry;

/// <summary>
/// Runs a grace extension (<see cref="GraceExtension"/>) against the registry in one write: the selection is read
/// and decided under the write gate, so no other change interleaves and the counts are those of one state. With
/// reinstatement, the expired records' old deadlines are read from their histories first (log reads cannot run
/// under the gate); a record changed since is left alone by <see cref="GraceExtension.Decide"/>.
/// </summary>
internal static class GraceExtender
{
    public static async Task<GraceExtensionReport> ExtendAsync(RegistryService registry, GraceSelection selection, uint untilUnixSeconds,
        bool reinstate, Attribution by, ILogger logger, CancellationToken ct)
    {
        var expired = new Dictionary<ulong, ExpiredGrey>();
        if (reinstate)
        {
            // A scan holds a store session for its whole run: on a thread of its own, finished before any await.
            List<(Imei, ImeiRecord)> candidates = await Task.Run(() => ExpiredRecords(registry, selection), ct).ConfigureAwait(false);
            foreach ((Imei imei, ImeiRecord record) in candidates)
            {
                if (await ReadExpiryAsync(registry, imei, record, ct).ConfigureAwait(false) is { } expiry)
                    expired[imei.Key] = expiry;
            }
        }

        int extended = 0, unchanged = 0, reinstated = 0;
        IReadOnlyList<Change> changes = await registry.WriteAsync(write =>
        {
            IEnumerable<Imei> candidates = selection.Imeis ?? Scan(registry, selection);
            (extended, unchanged, reinstated) = GraceExtension.Plan(write, candidates, untilUnixSeconds, reinstate, expired);
        }, by, ct).ConfigureAwait(false);

        var report = new GraceExtensionReport(extended, unchanged, reinstated,
            changes.Count == 0 ? 0 : changes[0].Sequence, changes.Count == 0 ? 0 : changes[^1].Sequence);
        AdminWriteLog.GraceExtended(logger, selection.Description, untilUnixSeconds, reinstate, extended, unchanged, reinstated,
            report.FirstSequence, report.LastSequence, by.Actor, by.Comment ?? "");
        return report;
    }

    /// <summary>Selected records that are grey or black (grey-expired): the only ones an extension can touch.</summary>
    private static IEnumerable<Imei> Scan(RegistryService registry, GraceSelection selection)
    {
        foreach ((Imei imei, ImeiRecord record) in registry.ScanView())
        {
            if ((record.List == ListKind.Grey || record is { List: ListKind.Black, Reason: Reason.GreyExpired }) && selection.Matches(imei))
                yield return imei;
        }
    }

    /// <summary>Selected black (grey-expired) records, collected before any await (a scan holds a store session).</summary>
    private static List<(Imei, ImeiRecord)> ExpiredRecords(RegistryService registry, GraceSelection selection)
    {
        var found = new List<(Imei, ImeiRecord)>();
        if (selection.Imeis is { } imeis)
        {
            foreach (Imei imei in imeis)
            {
                if (registry.TryGet(imei, out ImeiRecord record) && IsExpired(record)) found.Add((imei, record));
            }
            return found;
        }
        foreach ((Imei imei, ImeiRecord record) in registry.ScanView())
        {
            if (IsExpired(record) && selection.Matches(imei)) found.Add((imei, record));
        }
        return found;
    }

    private static bool IsExpired(in ImeiRecord record) => record is { List: ListKind.Black, Reason: Reason.GreyExpired };

    /// <summary>The grey record the expiry ended: the change before the record's own, when that one is grey.</summary>
    private static async Task<ExpiredGrey?> ReadExpiryAsync(RegistryService registry, Imei imei, ImeiRecord record, CancellationToken ct)
    {
        Change? previous = null, last = null;
        await foreach (Change change in registry.GetHistoryAsync(imei, ct).ConfigureAwait(false))
        {
            previous = last;
            last = change;
        }
        if (last is not { } black || black.Sequence != record.Sequence) return null;
        if (previous is not { Op: ChangeOp.Set, List: ListKind.Grey } grey || grey.DeadlineUnixSeconds == 0) return null;
        return new ExpiredGrey(black.Sequence, grey.DeadlineUnixSeconds, grey.Reason);
    }
}
