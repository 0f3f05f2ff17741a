using ImeiEir.Server.Hosting;
using ImeiEir.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Server.Storage;

/// <summary>
/// Owns the node's <see cref="ImeiStore"/>: opens it before the listener accepts anyone (hosted services start
/// before the server), recovers the last local checkpoint, applies the configured initial lists, checkpoints
/// periodically and once more after the listener has drained at shutdown.
/// </summary>
internal sealed class StoreLifecycle : IHostedService, IAsyncDisposable
{
    private const string DemoResource = "ImeiEir.Server.demo-lists.csv";

    private readonly ServerSettings _settings;
    private readonly ILogger<StoreLifecycle> _logger;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopping = new();
    private ImeiStore? _store;
    private Task _checkpointLoop = Task.CompletedTask;

    public StoreLifecycle(ServerSettings settings, ILogger<StoreLifecycle> logger, TimeProvider time)
    {
        _settings = settings;
        _logger = logger;
        _time = time;
    }

    /// <summary>The open store; available once the host has started.</summary>
    public ImeiStore Store => _store ?? throw new InvalidOperationException("The store is opened when the host starts.");

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_settings.StoreDirectory);
        _store = new ImeiStore(new StoreOptions
        {
            Directory = _settings.StoreDirectory,
            ExpectedRecords = _settings.Store.ExpectedRecords,
            MemorySizeBits = _settings.Store.MemorySizeBits,
        });

        bool recovered = _store.TryRecover(out string? failure);
        if (recovered)
            ServerLog.StoreRecovered(_logger, _settings.StoreDirectory);
        else if (failure is not null)
            ServerLog.StoreRecoveryFailed(_logger, _settings.StoreDirectory, failure);

        using (ImeiStoreSession session = _store.NewSession())
        {
            if (_settings.Store.InitialLists is { } path)
                Apply(CsvListLoader.Load(path, session), path);
            // Demo data only for a brand-new node: a node whose checkpoint was damaged starts empty rather than
            // answering from made-up lists.
            else if (!recovered && failure is null && _settings.Store.LoadDemoLists)
                Apply(CsvListLoader.Load(OpenDemoList, "embedded demo list", session), "embedded demo list");
        }

        ServerLog.StoreReady(_logger, _store.CountRecords());
        if (_settings.Store.CheckpointInterval > TimeSpan.Zero)
            _checkpointLoop = CheckpointPeriodicallyAsync(_settings.Store.CheckpointInterval, _stopping.Token);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _checkpointLoop;
        if (_store is not null)
        {
            await _store.CheckpointAsync(cancellationToken);
            ServerLog.StoreCheckpointed(_logger, _settings.StoreDirectory);
        }
    }

    public ValueTask DisposeAsync()
    {
        _store?.Dispose();
        _stopping.Dispose();
        return ValueTask.CompletedTask;
    }

    private static TextReader OpenDemoList() =>
        new StreamReader(typeof(StoreLifecycle).Assembly.GetManifestResourceStream(DemoResource)
            ?? throw new InvalidOperationException($"Resource {DemoResource} is missing from the build."));

    private static void Apply(CsvLoadReport report, string source)
    {
        if (report.Succeeded)
            return;
        // Every bad line is reported, and nothing was applied: the operator fixes the file and starts again.
        throw new InitialListsException(source, report.Errors);
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
                    await Store.CheckpointAsync(stopping);
                    ServerLog.StoreCheckpointed(_logger, _settings.StoreDirectory);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A failed checkpoint costs recovery time, not answers: keep serving and try again next tick.
                    ServerLog.StoreCheckpointFailed(_logger, e);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}

/// <summary>The initial lists had bad lines; start-up stops and prints each one.</summary>
internal sealed class InitialListsException(string source, IReadOnlyList<CsvLineError> errors)
    : Exception($"{source}: {errors.Count} bad line(s); nothing was loaded")
{
    public IReadOnlyList<CsvLineError> Errors { get; } = errors;
}
