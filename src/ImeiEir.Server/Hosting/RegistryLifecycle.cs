using ImeiEir.Core;
using ImeiEir.Registry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Server.Hosting;

/// <summary>
/// Owns the <see cref="RegistryService"/>: opens it (recovering the log and its view) before the listeners
/// accept anyone, seeds it with the configured lists, checkpoints it at shutdown. The lists go in as an ordinary
/// admin delta, so restarting with the same file changes nothing ("unchanged" lines append nothing).
/// Also runs the grey lifecycle: the intake of nodes' sightings and the expiry of grey periods.
/// </summary>
internal sealed class RegistryLifecycle : IHostedService, IAsyncDisposable
{
    private const string DemoResource = "ImeiEir.Server.demo-lists.csv";

    private readonly ServerSettings _settings;
    private readonly TimeProvider _time;
    private readonly DecisionPolicy _policy;
    private readonly RegimeClock _regimeClock;
    private readonly ILogger<RegistryLifecycle> _logger;
    private RegistryService? _service;
    private SightingIntake? _intake;
    private GreyExpiry? _expiry;

    public RegistryLifecycle(ServerSettings settings, TimeProvider time, DecisionPolicy policy, RegimeClock regimeClock, ILogger<RegistryLifecycle> logger)
    {
        _settings = settings;
        _time = time;
        _policy = policy;
        _regimeClock = regimeClock;
        _logger = logger;
    }

    public RegistryService Service => _service ?? throw new InvalidOperationException("The registry is opened when the host starts.");

    public SightingIntake Intake => _intake ?? throw new InvalidOperationException("The registry is opened when the host starts.");

    public GreyExpiry Expiry => _expiry ?? throw new InvalidOperationException("The registry is opened when the host starts.");

    /// <summary>True once the registry is open and its lifecycle running.</summary>
    public bool IsOpen => _expiry is not null;

    /// <summary>Every batch of sightings once recorded (metrics; the notifier).</summary>
    public event Action<SightingReport>? SightingsRecorded;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _service = await RegistryService.OpenAsync(_settings.Registry, _settings.RegistryDirectory, _time, _logger, cancellationToken);

        if (_settings.Registry.InitialLists is { } path)
        {
            await using FileStream file = File.OpenRead(path);
            await SeedAsync(file, path, cancellationToken);
        }
        else if (_service.LastSequence == 0 && _settings.Registry.LoadDemoLists)
        {
            // Demo data only for a brand-new registry, so a newcomer can query something at once.
            await using Stream demo = typeof(RegistryLifecycle).Assembly.GetManifestResourceStream(DemoResource)
                ?? throw new InvalidOperationException($"Resource {DemoResource} is missing from the build.");
            await SeedAsync(demo, "embedded demo list", cancellationToken);
        }
        else
        {
            ServerLog.RegistrySeeded(_logger, _service.LastSequence, "no lists to load", 0, 0);
        }

        _intake = new SightingIntake(_service, _policy, _regimeClock, _logger);
        _intake.Recorded += report => SightingsRecorded?.Invoke(report);
        _expiry = new GreyExpiry(_service, _regimeClock, _logger);
        _expiry.Start();
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_expiry is not null)
            await _expiry.DisposeAsync();
        if (_service is not null)
        {
            try
            {
                await _service.CheckpointAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The view is rebuilt from the durable log beyond the previous checkpoint at the next start.
                ServerLog.ShutdownCheckpointAbandoned(_logger, "the registry's view", _settings.Store.ShutdownCheckpointTimeout.TotalSeconds);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_service is not null)
            await _service.DisposeAsync();
    }

    private async Task SeedAsync(Stream lists, string source, CancellationToken ct)
    {
        DeltaBatch batch = await DeltaParser.ParseCsvAsync(lists, _settings.Registry.MaxDeltaLines, long.MaxValue, ct);
        if (batch.Failure is { } failure)
            throw new InitialListsException(source, [$"{source}: {failure.Detail}"]);

        // Atomic: one bad line and nothing is loaded; the operator gets every bad line at once.
        DeltaReport report = await Service.ApplyAsync(batch, partial: false, ct);
        if (!report.Accepted)
            throw new InitialListsException(source, report.Errors.Select(e => $"{source}:{e.Line}: {e.Reason}").ToList());
        ServerLog.RegistrySeeded(_logger, Service.LastSequence, source, report.Applied, report.Unchanged);
    }
}

/// <summary>The initial lists had bad lines; start-up stops and prints each one.</summary>
internal sealed class InitialListsException(string source, IReadOnlyList<string> errors)
    : Exception($"{source}: {errors.Count} problem(s); nothing was loaded")
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
