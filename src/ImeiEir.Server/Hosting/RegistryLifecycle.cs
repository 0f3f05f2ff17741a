using ImeiEir.Core;
using ImeiEir.Registry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Server.Hosting;

/// <summary>
/// Hosts the <see cref="CentralRegistry"/>: starts it (open, seed, grey lifecycle) before the listeners accept
/// anyone, checkpoints it at shutdown, closes it with the host. The demo list a brand-new registry is seeded with
/// is a resource of this executable.
/// </summary>
internal sealed class RegistryLifecycle : IHostedService, IAsyncDisposable
{
    private const string DemoResource = "ImeiEir.Server.demo-lists.csv";

    private readonly ServerSettings _settings;
    private readonly ILogger<RegistryLifecycle> _logger;
    private readonly CentralRegistry _registry;

    public RegistryLifecycle(ServerSettings settings, TimeProvider time, DecisionPolicy policy, RegimeClock regimeClock, ILogger<RegistryLifecycle> logger)
    {
        _settings = settings;
        _logger = logger;
        _registry = new CentralRegistry(settings.Registry, settings.RegistryDirectory, time, policy, regimeClock, logger, OpenDemoLists, settings.Clones);
    }

    /// <summary>The registry, its grey lifecycle and their events.</summary>
    public CentralRegistry Registry => _registry;

    public RegistryService Service => _registry.Service;

    public SightingIntake Intake => _registry.Intake;

    public GreyExpiry Expiry => _registry.Expiry;

    public CloneWatch Clones => _registry.Clones;

    /// <summary>True once the registry is open and its lifecycle running.</summary>
    public bool IsOpen => _registry.IsOpen;

    public Task StartAsync(CancellationToken cancellationToken) => _registry.StartAsync(cancellationToken);

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // An abandoned checkpoint loses nothing: the view is rebuilt from the durable log beyond the previous one.
        if (!await _registry.StopAsync(cancellationToken))
            ServerLog.ShutdownCheckpointAbandoned(_logger, "the registry's view", _settings.Store.ShutdownCheckpointTimeout.TotalSeconds);
    }

    public ValueTask DisposeAsync() => _registry.DisposeAsync();

    private static Stream OpenDemoLists() =>
        typeof(RegistryLifecycle).Assembly.GetManifestResourceStream(DemoResource)
        ?? throw new InvalidOperationException($"Resource {DemoResource} is missing from the build.");
}
