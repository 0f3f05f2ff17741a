using ImeiEir.Core;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Registry;

/// <summary>
/// The central registry as one unit, for the host: <see cref="StartAsync"/> opens the <see cref="RegistryService"/>
/// (recovering its log and view), seeds it (<see cref="RegistryOptions.InitialLists"/>, or the demo list for a
/// brand-new registry) and starts the grey lifecycle: the <see cref="SightingIntake"/> of nodes' sightings and the
/// <see cref="GreyExpiry"/> of grey periods. <see cref="StopAsync"/> stops the expiry and checkpoints the view;
/// <see cref="DisposeAsync"/> closes. Others follow <see cref="SightingsRecorded"/> and <see cref="Expired"/>, which
/// may be subscribed before the start.
/// </summary>
public sealed class CentralRegistry : IAsyncDisposable
{
    private const string NotOpen = "The registry is opened when the host starts.";

    private readonly RegistryOptions _options;
    private readonly string _directory;
    private readonly TimeProvider _time;
    private readonly DecisionPolicy _policy;
    private readonly RegimeClock _regimeClock;
    private readonly ILogger _logger;
    private readonly Func<Stream>? _openDemoLists;
    private readonly CloneOptions _cloneOptions;
    private readonly CancellationTokenSource _stopping = new();
    private RegistryService? _service;
    private CloneWatch? _clones;
    private Task _sweeps = Task.CompletedTask;
    private SightingIntake? _intake;
    private GreyExpiry? _expiry;
    private RegistryOverview? _overview;

    /// <param name="options">The registry's options, its seeding included.</param>
    /// <param name="directory">The registry's data directory (log, view, tokens).</param>
    /// <param name="time">The clock of change times, heartbeats and checkpoint intervals.</param>
    /// <param name="policy">The decision policy: the grace period and regime start of sightings.</param>
    /// <param name="regimeClock">The clock of grey deadlines.</param>
    /// <param name="logger">Where the registry, its seeding and its lifecycle log.</param>
    /// <param name="openDemoLists">Opens the demo list (CSV) a brand-new registry is seeded with; null: none.</param>
    /// <param name="clones">The clone watch's options; null: the defaults.</param>
    public CentralRegistry(RegistryOptions options, string directory, TimeProvider time, DecisionPolicy policy,
        RegimeClock regimeClock, ILogger logger, Func<Stream>? openDemoLists = null, CloneOptions? clones = null)
    {
        _cloneOptions = clones ?? new CloneOptions();
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(regimeClock);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options;
        _directory = directory;
        _time = time;
        _policy = policy;
        _regimeClock = regimeClock;
        _logger = logger;
        _openDemoLists = openDemoLists;
    }

    /// <summary>The open registry.</summary>
    /// <exception cref="InvalidOperationException">Before <see cref="StartAsync"/>.</exception>
    public RegistryService Service => _service ?? throw new InvalidOperationException(NotOpen);

    /// <summary>Where nodes' sightings go.</summary>
    /// <exception cref="InvalidOperationException">Before <see cref="StartAsync"/> has finished.</exception>
    public SightingIntake Intake => _intake ?? throw new InvalidOperationException(NotOpen);

    /// <summary>The clone watch over the pairs in nodes' sightings (in <c>&lt;registry&gt;/clones</c>).</summary>
    /// <exception cref="InvalidOperationException">Before <see cref="StartAsync"/> has finished.</exception>
    public CloneWatch Clones => _clones ?? throw new InvalidOperationException(NotOpen);

    /// <summary>The grey expiry loop.</summary>
    /// <exception cref="InvalidOperationException">Before <see cref="StartAsync"/> has finished.</exception>
    public GreyExpiry Expiry => _expiry ?? throw new InvalidOperationException(NotOpen);

    /// <summary>The nodes following the change feed (the feed endpoint records them, the overview shows them).</summary>
    public FeedFollowers Followers { get; } = new();

    /// <summary>The overview's counts: changes per day, the view's counts, sightings since the start.</summary>
    /// <exception cref="InvalidOperationException">Before <see cref="StartAsync"/> has finished.</exception>
    public RegistryOverview Overview => _overview ?? throw new InvalidOperationException(NotOpen);

    /// <summary>True once the registry is open, seeded and its lifecycle running.</summary>
    public bool IsOpen => _expiry is not null;

    /// <summary>Every batch of sightings once recorded and durable (metrics; the notifier). Keep handlers short.</summary>
    public event Action<SightingReport>? SightingsRecorded;

    /// <summary>Every batch of grey records turned black at their deadline, once durable (the notifier).</summary>
    public event Action<IReadOnlyList<Change>>? Expired;

    /// <summary>Opens (recovering), seeds, and starts the sighting intake and the grey expiry.</summary>
    /// <exception cref="InitialListsException">The initial lists had bad lines; nothing of them was loaded.</exception>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    /// <exception cref="InvalidDataException">The change log is damaged, or the backup to restore is not a whole one.</exception>
    /// <exception cref="InvalidOperationException">A restore was asked into a directory that holds a registry.</exception>
    /// <exception cref="RestoreRefusedException">A restore onto a change stream that holds changes (JetStream.StreamRestore).</exception>
    public async Task StartAsync(CancellationToken ct)
    {
        if (_service is not null) throw new InvalidOperationException("The registry has already been started.");
        if (_options.RestoreFrom is string backup)
        {
            // On a change stream the backup's changes go to a new stream as well as to this process's replica.
            await (_options.UsesJetStream
                ? JetStream.StreamRestore.RestoreAsync(backup, _options, _directory, _logger, ct)
                : RegistryRestore.RestoreAsync(backup, _options, _directory, _logger, ct)).ConfigureAwait(false);
            // The state beside the log (version 3): the TAC database is the registry's; the host restores the notifier's.
            TacBackup.Restore(TacDocument.In(_directory), BackupFormat.ReadSections(backup), backup);
        }
        _service = await RegistryService.OpenAsync(_options, _directory, _time, _regimeClock.Calendar, _logger, ct).ConfigureAwait(false);
        await RegistrySeeding.SeedAsync(_service, _options, _openDemoLists, _logger, ct).ConfigureAwait(false);

        _clones = CloneWatch.Open(Path.Combine(_directory, "clones"), _cloneOptions, _time, _logger);
        _sweeps = _clones.RunSweepsAsync(_stopping.Token);
        _intake = new SightingIntake(_service, _policy, _regimeClock, _logger, _clones);
        _intake.Recorded += report => SightingsRecorded?.Invoke(report);
        _overview = new RegistryOverview(_service, _intake);
        var expiry = new GreyExpiry(_service, _regimeClock, _logger);
        expiry.Expired += changes => Expired?.Invoke(changes);
        _expiry = expiry;
        expiry.Start();
    }

    /// <summary>
    /// Stops the grey expiry and checkpoints the view, so the next start replays nothing. Returns false when
    /// <paramref name="ct"/> (the host's shutdown timeout) ended the checkpoint first: nothing is lost, the next
    /// start recovers the previous checkpoint and replays the durable log beyond it.
    /// </summary>
    public async Task<bool> StopAsync(CancellationToken ct)
    {
        if (_expiry is not null) await _expiry.DisposeAsync().ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _sweeps.ConfigureAwait(false);
        if (_service is null) return true;
        try
        {
            await _service.CheckpointAsync(ct).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return false;
        }
        catch (IOException e)
        {
            // A full disk: the store removed the partial checkpoint; the log is durable, the next start replays it.
            RegistryLog.CheckpointFailed(_logger, e);
            return true;
        }
    }

    /// <summary>Closes the registry (waiting for the write in flight); a second call does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        _overview?.Dispose();
        if (_service is not null) await _service.DisposeAsync().ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _sweeps.ConfigureAwait(false);
        _clones?.Dispose();
    }
}
