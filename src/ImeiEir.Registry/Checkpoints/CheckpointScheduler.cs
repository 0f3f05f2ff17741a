using Microsoft.Extensions.Logging;

namespace ImeiEir.Registry;

/// <summary>
/// Checkpoints the view every <see cref="RegistryOptions.CheckpointInterval"/> when changes were published since the
/// last checkpoint (one at a time; a failure is logged and the next interval retries), and once more at close, so
/// a restart replays only the log after it. After each checkpoint, <see cref="AfterCheckpoint"/> (log retention:
/// the sequence index saved, the log trimmed) runs in the same background task; its failure is logged, and the
/// checkpoint stands.
/// </summary>
internal sealed class CheckpointScheduler
{
    private readonly RegistryView _view;
    private readonly PublishedSequence _published;
    private readonly ILogger _logger;
    private readonly ITimer _timer;
    private readonly DiskSpace? _space;
    private ulong _checkpointed;

    /// <summary>Runs after each successful checkpoint with its sequence and whether the registry is closing.</summary>
    public Func<ulong, bool, CancellationToken, Task>? AfterCheckpoint { get; set; }
    private int _running;
    private int _stopped;

    /// <param name="view">The view to checkpoint.</param>
    /// <param name="published">Every change up to its number is in the view (published after the view update).</param>
    /// <param name="checkpointed">The change number the view's latest checkpoint holds.</param>
    /// <param name="time">The clock of the interval.</param>
    /// <param name="interval">Time between checkpoints.</param>
    /// <param name="logger">Where checkpoints and their failures are logged.</param>
    /// <param name="space">Checked first: a checkpoint that a full disk would cut short is skipped (null: unchecked).</param>
    public CheckpointScheduler(RegistryView view, PublishedSequence published, ulong checkpointed, TimeProvider time, TimeSpan interval, ILogger logger, DiskSpace? space = null)
    {
        _space = space;
        _view = view;
        _published = published;
        _checkpointed = checkpointed;
        _logger = logger;
        _timer = time.CreateTimer(_ => OnTimer(), null, interval, interval);
    }

    /// <summary>True when the latest checkpoint holds every published change.</summary>
    private bool IsCurrent => _published.Value == Volatile.Read(ref _checkpointed);

    /// <summary>Checkpoints the view at the published change number.</summary>
    public Task CheckpointAsync(CancellationToken ct) => CheckpointAsync(closing: false, ct);

    private async Task CheckpointAsync(bool closing, CancellationToken ct)
    {
        // A checkpoint cut short by a full disk would leave a partial one behind: skip it instead. The log holds
        // every change, so the next checkpoint (or a restart's replay) catches up.
        if (_space?.Shortage() is { } shortage)
        {
            RegistryLog.CheckpointSkipped(_logger, shortage);
            return;
        }
        ulong sequence = _published.Value;
        await _view.CheckpointAsync(sequence, ct).ConfigureAwait(false);
        Volatile.Write(ref _checkpointed, sequence);
        RegistryLog.Checkpointed(_logger, sequence);
        if (AfterCheckpoint is { } after)
        {
            try
            {
                await after(sequence, closing, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                RegistryLog.RetentionFailed(_logger, e);
            }
        }
    }

    /// <summary>Stops the timer and waits (up to 30 s) for a checkpoint it started.</summary>
    public async ValueTask StopAsync()
    {
        Volatile.Write(ref _stopped, 1);
        await _timer.DisposeAsync().ConfigureAwait(false);
        WaitForRunning();
    }

    /// <summary>The synchronous <see cref="StopAsync"/>.</summary>
    public void Stop()
    {
        Volatile.Write(ref _stopped, 1);
        _timer.Dispose();
        WaitForRunning();
    }

    /// <summary>After <see cref="StopAsync"/>: checkpoints once more if changes were published since; a failure is logged.</summary>
    public async Task CheckpointAtCloseAsync()
    {
        if (IsCurrent) return;
        try
        {
            await CheckpointAsync(closing: true, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            RegistryLog.CheckpointFailed(_logger, e);
        }
    }

    private void WaitForRunning() => SpinWait.SpinUntil(() => Volatile.Read(ref _running) == 0, TimeSpan.FromSeconds(30));

    private void OnTimer()
    {
        if (Volatile.Read(ref _stopped) != 0 || IsCurrent) return;
        if (Interlocked.CompareExchange(ref _running, 1, 0) != 0) return;
        _ = Task.Run(async () =>
        {
            try
            {
                if (Volatile.Read(ref _stopped) != 0) return; // closing: the view may be gone
                await CheckpointAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
            }
            catch (Exception e)
            {
                RegistryLog.CheckpointFailed(_logger, e);
            }
            finally
            {
                Volatile.Write(ref _running, 0);
            }
        });
    }
}
