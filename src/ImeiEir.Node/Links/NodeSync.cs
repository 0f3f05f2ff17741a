using ImeiEir.Core;
using ImeiEir.Core.Tac;
using ImeiEir.Node.Configuration;
using ImeiEir.Node.Storage;
using ImeiEir.Store;
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
    private readonly HttpClient _tacHttp = new() { Timeout = TimeSpan.FromMinutes(5) }; // a TAC document is tens of MB at most
    private readonly SightingQueue _sightings;
    private readonly TacTableSlot _tacs;
    private readonly DecisionPolicy _policy;
    private readonly StoreOptions _storeOptions;
    private SyncAgent? _agent;
    private TacFollower? _tacFollower;
    private SightingReporter? _reporter;
    private Task? _agentStopped;

    public NodeSync(SyncOptions syncOptions, SightingsOptions sightingsOptions, DiameterOptions diameter, StoreLifecycle store,
        RegistryLocator registry, NodeReadiness readiness, IHostApplicationLifetime lifetime, TimeProvider time, SightingQueue sightings,
        ILoggerFactory loggers, TacTableSlot tacs, DecisionPolicy policy, StoreOptions storeOptions)
    {
        _tacs = tacs;
        _policy = policy;
        _storeOptions = storeOptions;
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

    /// <summary>The running TAC database follower, once the listeners are bound.</summary>
    public TacFollower? TacFollower => _tacFollower;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _lifetime.ApplicationStarted.Register(StartAgent);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_tacFollower is not null)
            await _tacFollower.StopAsync(cancellationToken);
        if (_reporter is not null)
            await _reporter.StopAsync(cancellationToken);
        if (_agent is not null)
            await (_agentStopped ?? _agent.StopAsync(cancellationToken));
    }

    public void Dispose()
    {
        _tacFollower?.Dispose();
        _tacHttp.Dispose();
        _reporter?.Dispose();
        _agent?.Dispose();
        _http.Dispose();
        _reports.Dispose();
    }

    private void StartAgent()
    {
        // One link for the feed, sightings and TAC polling: they follow the same registry, and move on together.
        RegistryLink registry = _registry();
        registry.UseLogger(_loggers.CreateLogger<RegistryLink>(), _time);
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

        // The TAC database is kept beside the store (an in-memory store: not kept), so a restarted node answers by it while the registry is away.
        _tacFollower = new TacFollower(_syncOptions, registry, _storeOptions.Directory is { } directory ? new TacDirectory(Path.Combine(directory, "tac")) : null, _tacs,
            _policy.RequiresKnownTac, _tacHttp, _time, _loggers.CreateLogger<TacFollower>());
        _ = _tacFollower.StartAsync(_lifetime.ApplicationStopping);
    }
}
