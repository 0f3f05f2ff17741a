using ImeiEir.Store;
using ImeiEir.Sync;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Node.Storage;

/// <summary>
/// Owns the EIR node's <see cref="ImeiStore"/>: opens it and recovers the last local checkpoint before anything
/// reads it (hosted services start before the listeners), checkpoints periodically and once more at shutdown
/// after the listeners have drained. Every checkpoint records the sync agent's applied sequence, so a restart
/// resumes the feed from there instead of downloading everything again.
/// </summary>
internal sealed class StoreLifecycle : IHostedService, IAsyncDisposable
{
    private readonly StoreOptions _options;
    private readonly string _directory;
    private readonly ILogger<StoreLifecycle> _logger;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopping = new();
    private ImeiStore? _store;
    private Task _checkpointLoop = Task.CompletedTask;

    /// <summary>A lifecycle for the store <paramref name="options"/> describe; their <see cref="StoreOptions.Directory"/> is required.</summary>
    public StoreLifecycle(StoreOptions options, ILogger<StoreLifecycle> logger, TimeProvider time)
    {
        _options = options;
        _directory = options.Directory ?? throw new ArgumentException("The node's store needs a directory.", nameof(options));
        _logger = logger;
        _time = time;
    }

    /// <summary>The open store; available once the host has started.</summary>
    public ImeiStore Store => _store ?? throw new InvalidOperationException("The store is opened when the host starts.");

    /// <summary>Where the applied sequence comes from (the sync agent, once it exists); none means "what was recovered".</summary>
    public IAppliedSequence? AppliedSequence { get; set; }

    private ulong CurrentSequence => AppliedSequence?.LastApplied ?? _store?.RecoveredSequence ?? 0;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_directory);
        _store = new ImeiStore(_options);
        NodeLog.StoreOpened(_logger, _directory, _store.Statistics.IndexBytes >> 20, _store.HugePageIndexBytes >> 20,
            _store.PrefetchAvailable ? "on" : "off (FASTER's index layout is not the one this build knows)");

        if (_store.TryRecover(out string? failure))
        {
            double age = Math.Max(0, (_time.GetUtcNow() - _store.RecoveredCheckpointTime!.Value).TotalSeconds);
            if (_store.IsComplete)
                NodeLog.StoreRecovered(_logger, _directory, _store.RecoveredSequence, age);
            else
                NodeLog.StoreRecoveredIncomplete(_logger, _directory, age);
        }
        else if (failure is not null)
            // The sync agent then bootstraps from the registry's snapshot: slower, but never wrong.
            NodeLog.StoreRecoveryFailed(_logger, _directory, failure);
        if (!_store.IsComplete)
            NodeLog.StoreNotComplete(_logger);

        if (_options.CheckpointInterval > TimeSpan.Zero)
            _checkpointLoop = CheckpointPeriodicallyAsync(_options.CheckpointInterval, _stopping.Token);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _checkpointLoop;
        if (_store is not null)
        {
            ulong sequence = CurrentSequence;
            try
            {
                // Read under the store's gate, as the periodic checkpoint does (CheckpointPeriodicallyAsync).
                await _store.CheckpointAsync(() => sequence = CurrentSequence, cancellationToken);
                NodeLog.StoreCheckpointed(_logger, _directory, sequence);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The previous checkpoint stays the one the next start recovers; the feed brings the rest.
                NodeLog.ShutdownCheckpointAbandoned(_logger, "the node's store", _options.ShutdownCheckpointTimeout.TotalSeconds);
            }
            catch (IOException e)
            {
                // A full disk at shutdown: the store removed the partial checkpoint, and a stop is still a stop.
                NodeLog.ShutdownCheckpointFailed(_logger, e.Message);
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        _store?.Dispose();
        _stopping.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task CheckpointPeriodicallyAsync(TimeSpan interval, CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                try
                {
                    // The sequence is read once the checkpoint holds the store's gate, just before it copies: read
                    // earlier, a re-bootstrap waited on meanwhile (the store cleared and refilled from a new
                    // generation) would get the old state's number, and a restart would skip the changes between.
                    ulong sequence = 0;
                    await Store.CheckpointAsync(() => sequence = CurrentSequence, stopping);
                    NodeLog.StoreCheckpointed(_logger, _directory, sequence);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A failed checkpoint costs recovery time, not answers: keep serving and try again next tick.
                    NodeLog.StoreCheckpointFailed(_logger, e);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
