using System.Diagnostics;
using ImeiEir.Core;
using ImeiEir.Store;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Registry;

/// <summary>
/// Brings the registry back after any kind of end: recovers the change log to its last commit, recovers the view's
/// checkpoint (at sequence S; none or damaged = S 0 on an empty view), loads the sequence index persisted with the
/// last checkpoint (<see cref="SequenceIndexFile"/>) and scans only the log after it, applying every change after S:
/// start-up reads the changes since the last checkpoint, not every change ever made. Without a usable index file the
/// whole log is scanned, as before it existed. A view ahead of its log is rebuilt from the log, which is the truth.
/// The view is therefore always the log's state, however the last run ended. A log truncated by retention
/// (<see cref="LogRetention"/>) cannot rebuild a view from before its first change: that start is refused, never
/// answered from a partial view.
/// <code>
/// directory/log/    the change log (<see cref="ChangeLog"/>)
/// directory/view/   the current-state view (<see cref="RegistryView"/>)
/// </code>
/// </summary>
internal static class RegistryRecovery
{
    /// <summary>Opens and recovers; checkpoints the view at once when it replayed anything, so the next start is quick.</summary>
    /// <exception cref="InvalidDataException">The change log is damaged.</exception>
    public static async Task<RecoveredRegistry> OpenAsync(RegistryOptions options, string directory, ILogger logger, CancellationToken ct)
    {
        var stopwatch = Stopwatch.StartNew();
        string logDirectory = Path.Combine(directory, "log");
        ChangeLog log = ChangeLog.Open(logDirectory);
        RegistryView? view = null;
        try
        {
            ct.ThrowIfCancellationRequested();
            string viewDirectory = Path.Combine(directory, "view");
            view = RegistryView.Open(options, viewDirectory);
            ulong recovered = 0;
            if (view.TryRecover(out string? failure)) recovered = view.RecoveredSequence;
            else if (failure is not null) RegistryLog.ViewRebuilding(logger, failure);

            (ulong last, ulong replayed, LogScan scan) = Replay(log, view, after: recovered, logger);
            if (recovered > last)
            {
                // The view knows changes the log does not: the log is the truth, so the view is rebuilt from it.
                RegistryLog.ViewAheadOfLog(logger, recovered, last);
                view.Dispose();
                Directory.Delete(viewDirectory, recursive: true);
                view = RegistryView.Open(options, viewDirectory);
                log.Dispose();
                log = ChangeLog.Open(logDirectory);
                recovered = 0;
                (last, replayed, scan) = Replay(log, view, after: 0, logger);
            }
            if (log.FirstSequence > recovered + 1 && last > 0)
                throw new InvalidDataException($"the view in {viewDirectory} holds changes up to {recovered} but the change log (truncated by Registry:HistoryRetention / Registry:FeedRetention) begins at change {log.FirstSequence}: the view cannot be rebuilt; restore the registry from a backup");

            if (replayed > 0) await view.CheckpointAsync(last, ct).ConfigureAwait(false);
            RegistryLog.Opened(logger, directory, last, recovered, replayed, stopwatch.ElapsedMilliseconds);
            RegistryLog.LogScanned(logger, scan.Scanned, log.FirstSequence, last);
            return new RecoveredRegistry(log, view, last, recovered, replayed, scan.Scanned);
        }
        catch
        {
            view?.Dispose();
            log.Dispose();
            throw;
        }
    }

    /// <summary>Scans the log (which builds its index) and applies the changes after <paramref name="after"/>.</summary>
    private static (ulong Last, ulong Replayed, LogScan Scan) Replay(ChangeLog log, RegistryView view, ulong after, ILogger logger)
    {
        using ImeiStoreSession session = view.NewSession();
        LogScan scan = log.Scan(after, (change, _) => ChangeApplier.Apply(session, change));
        if (scan.IndexFailure is not null) RegistryLog.SequenceIndexUnusable(logger, scan.IndexFailure);
        // Counted from the numbers: a fallback to the full scan hands some changes twice (harmlessly).
        ulong from = Math.Max(after, log.FirstSequence - 1);
        return (scan.Last, scan.Last > from ? scan.Last - from : 0, scan);
    }
}
