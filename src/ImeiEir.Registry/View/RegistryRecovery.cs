using System.Diagnostics;
using ImeiEir.Core;
using ImeiEir.Store;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Registry;

/// <summary>
/// Brings the registry back after any kind of end: recovers the change log to its last commit, recovers the view's
/// checkpoint (at sequence S; none or damaged = S 0 on an empty view), then scans the log once, building the
/// sequence index and applying every change after S. A view ahead of its log is rebuilt from the log, which is the
/// truth. The view is therefore always the log's state, however the last run ended.
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

            (ulong last, ulong replayed) = Replay(log, view, after: recovered);
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
                (last, replayed) = Replay(log, view, after: 0);
            }

            if (replayed > 0) await view.CheckpointAsync(last, ct).ConfigureAwait(false);
            RegistryLog.Opened(logger, directory, last, recovered, replayed, stopwatch.ElapsedMilliseconds);
            return new RecoveredRegistry(log, view, last, recovered, replayed);
        }
        catch
        {
            view?.Dispose();
            log.Dispose();
            throw;
        }
    }

    /// <summary>Scans the whole log (which builds its index) and applies the changes after <paramref name="after"/>.</summary>
    private static (ulong Last, ulong Replayed) Replay(ChangeLog log, RegistryView view, ulong after)
    {
        ulong replayed = 0;
        using ImeiStoreSession session = view.NewSession();
        ulong last = log.Scan((change, _) =>
        {
            if (change.Sequence <= after) return;
            ChangeApplier.Apply(session, change);
            replayed++;
        });
        return (last, replayed);
    }
}
