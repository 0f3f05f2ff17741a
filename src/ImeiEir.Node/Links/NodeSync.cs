using ImeiEir.Core;
using ImeiEir.Node.Configuration;
using ImeiEir.Node.Storage;
using ImeiEir.Sync;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Node.Links;

/// <summary>
/// Runs the node's links to the registry: the <see cref="SyncAgent"/> (feed in) and the <see cref="SightingReporter"/>
/// (sightings out). They start once the listeners are bound, because in all-in-one mode the registry is this very
/// process's registry endpoint, whose port may be chosen only at bind time.
/// </summary>
internal sealed class NodeSync : IHostedService, IDisposable
{
    private readonly SyncOptions _syncOptions;
    private readonly SightingsOptions _sightingsOptions;
    private readonly string _nodeName;
    private readonly StoreLifecycle _store;
    private readonly RegistryLocator _registry;
    private readonly NodeReadiness _readiness;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan }; // the feed is one endless response
    private readonly HttpClient _reports = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly SightingQueue _sightings;
    private SyncAgent? _agent;
    private SightingReporter? _reporter;
    private Task? _agentStopped;

    public NodeSync(SyncOptions syncOptions, SightingsOptions sightingsOptions, DiameterOptions diameter, StoreLifecycle store,
        RegistryLocator registry, NodeReadiness readiness, IHostApplicationLifetime lifetime, TimeProvider time, SightingQueue sightings,
        ILoggerFactory loggers)
    {
        _syncOptions = syncOptions;
        _sightingsOptions = sightingsOptions;
        _nodeName = diameter.OriginHost; // the registry logs sightings by the node's Diameter identity
        _store = store;
        _registry = registry;
        _readiness = readiness;
        _lifetime = lifetime;
        _time = time;
        _sightings = sightings;
        _loggers = loggers;
    }

    /// <summary>The running agent, once the listeners are bound.</summary>
    public SyncAgent? Agent => _agent;

    /// <summary>The running sightings reporter, once the listeners are bound.</summary>
    public SightingReporter? Reporter => _reporter;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _lifetime.ApplicationStarted.Register(StartAgent);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_reporter is not null)
            await _reporter.StopAsync(cancellationToken);
        if (_agent is not null)
            await (_agentStopped ?? _agent.StopAsync(cancellationToken));
    }

    public void Dispose()
    {
        _reporter?.Dispose();
        _agent?.Dispose();
        _http.Dispose();
        _reports.Dispose();
    }

    private void StartAgent()
    {
        RegistryLink registry = _registry();
        _agent = new SyncAgent(_syncOptions, registry, _store.Store, _http, _time,
            _loggers.CreateLogger<SyncAgent>());
        _store.AppliedSequence = _agent;
        _agent.FirstCatchUp.ContinueWith(
            _ => _readiness.MarkCaughtUp(_agent.LastApplied),
            CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
        _ = _agent.StartAsync(_lifetime.ApplicationStopping);
        // The registry ends its feeds as the host starts stopping (all-in-one: this very process's registry). Tell the
        // agent first, so a feed ended by the stop is not taken for a lost registry and logged as a reconnect.
        SyncAgent agent = _agent;
        _lifetime.ApplicationStopping.Register(() => _agentStopped = agent.StopAsync(CancellationToken.None));

        _reporter = new SightingReporter(_sightingsOptions, registry, _nodeName, _sightings, _reports, _time, _loggers.CreateLogger<SightingReporter>());
        _ = _reporter.StartAsync(_lifetime.ApplicationStopping);
    }
}
