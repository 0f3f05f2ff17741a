using System.Net.Http.Headers;
using ImeiEir.Core;
using ImeiEir.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Sync;

/// <summary>
/// Keeps the node's <see cref="ImeiStore"/> current from the central registry (docs/ARCHITECTURE.md, "Change feed"):
/// <list type="number">
/// <item>a store recovered at sequence N &gt; 0 follows the feed after N (a restart never downloads everything);</item>
/// <item>an empty store (N = 0) applies the registry's snapshot at sequence S, then follows the feed after S;</item>
/// <item>changes are applied in order, idempotently (<see cref="ChangeApplier"/>); a frame that does not decode, or
/// a sequence gap, drops the connection and the agent reconnects from <see cref="LastApplied"/>;</item>
/// <item>while changes flow, a local checkpoint records the applied sequence every
/// <see cref="SyncOptions.CheckpointInterval"/>, or after <see cref="SyncOptions.CheckpointEveryChanges"/> changes
/// once they are also at least the records the last checkpoint wrote (see <see cref="MaybeCheckpoint"/>);</item>
/// <item>any failure (network, HTTP status, silence past <see cref="SyncOptions.HeartbeatTimeout"/>) → reconnect with
/// exponential back-off; a 409 (the registry is behind the node) → clear the store and bootstrap again, except from
/// one of several registry processes naming the store's generation: that one lags behind the stream the node read
/// from another, so the node moves on (below) and comes back to it, never bootstrapping for a lag;</item>
/// <item>a registry of another generation than the store's (<see cref="FollowedGeneration"/>: a new or restored
/// registry, whose numbers name other changes) → clear the store and bootstrap again, whatever its sequence; checked
/// on every answer, so also when the node moves to another registry;</item>
/// <item>several registry URLs (<see cref="RegistryLink"/>): a connection failure, a timeout, a 5xx or an ended feed
/// moves the node to the next one, where it resumes after <see cref="LastApplied"/>; the back-off grows per round
/// through all of them, not per URL.</item>
/// </list>
/// The store must be opened and <see cref="ImeiStore.TryRecover()"/> called before the agent starts.
/// </summary>
/// <remarks>
/// One <see cref="ImeiStoreSession"/>, owned by the agent's loop, applies every change. It is used only inside the
/// synchronous parse-and-apply step between two pipe reads, never while an operation is pending across an
/// <c>await</c> and never by two threads at once; FASTER 2.x sessions take epoch protection per operation, so the
/// loop's continuation resuming on another pool thread is safe.
/// </remarks>
public sealed partial class SyncAgent : BackgroundService, IAppliedSequence
{
    private CancellationToken _hostStopping;
    private const int PipeBufferSize = 64 * 1024;
    private const ulong BootstrapProgressEvery = 1_000_000;

    private readonly SyncOptions _options;
    private readonly RegistryLink _registry;
    private readonly ImeiStore _store;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly ILogger<SyncAgent> _logger;
    private readonly TaskCompletionSource _firstCatchUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly FollowedGeneration _generation;

    // Progress: written by the loop only, read by anyone (Status, LastApplied).
    private ulong _lastApplied;
    private ulong _registryHead;
    private int _state = (int)SyncState.Disconnected;
    private long _lastChangeTimeMs = long.MinValue;
    private long _heartbeatRegistryTimeMs;
    private long _heartbeatLocalTimestamp;
    private long _behindSinceRegistryMs;
    private long _reconnects;
    private ErrorRecord? _lastError;
    private Uri? _followedUrl; // the loop only: the registry whose feed was last connected, for the log line on a change

    // Checkpointing: the loop only.
    private long _changesSinceCheckpoint;
    private long _lastCheckpointTimestamp;
    private long _lastCheckpointRecords;
    private Task _checkpoint = Task.CompletedTask;

    /// <summary>
    /// Creates the agent following <paramref name="registry"/>; it starts with the host. Throws
    /// <see cref="ArgumentException"/> when the options or the link are invalid.
    /// </summary>
    public SyncAgent(SyncOptions options, RegistryLink registry, ImeiStore store, HttpClient http, TimeProvider time, ILogger<SyncAgent> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        IReadOnlyList<string> problems = [.. options.Validate(), .. registry.Validate(SyncOptions.Section)];
        if (problems.Count > 0) throw new ArgumentException(string.Join(Environment.NewLine, problems), nameof(options));

        _options = options;
        _registry = registry;
        _store = store;
        _http = http;
        _time = time;
        _logger = logger;
        // A store recovered from a checkpoint taken half-way through a bootstrap has no valid cursor: bootstrap again.
        _lastApplied = store.IsComplete ? store.RecoveredSequence : 0;
        _generation = new FollowedGeneration(store.DirectoryPath);
    }

    /// <summary>Every registry the node may follow (<c>Registry:Url</c>), in order; <see cref="SyncStatus.Registry"/> is the one followed now.</summary>
    public IReadOnlyList<Uri> Registries => _registry.Urls;

    /// <summary>The last change sequence applied and visible in the store; 0 while a (re-)bootstrap is in progress.</summary>
    public ulong LastApplied => Volatile.Read(ref _lastApplied);

    /// <summary>
    /// Completes the first time <see cref="LastApplied"/> reaches the head sequence a registry heartbeat announced
    /// (the node is then ready, <c>/health/ready</c>). Cancelled if the agent stops before that.
    /// </summary>
    public Task FirstCatchUp => _firstCatchUp.Task;

    /// <summary>A consistent-enough snapshot of the agent's progress; allocates one small object per call.</summary>
    public SyncStatus Status
    {
        get
        {
            ulong applied = LastApplied;
            ulong head = Volatile.Read(ref _registryHead);
            ulong lag = head > applied ? head - applied : 0;
            ErrorRecord? error = Volatile.Read(ref _lastError);
            return new SyncStatus((SyncState)Volatile.Read(ref _state), applied, head, lag, LagSeconds(lag),
                Interlocked.Read(ref _reconnects), error?.Message, error?.At, _registry.Url, _registry.Switches);
        }
    }

    private double LagSeconds(ulong lagSequences)
    {
        if (lagSequences == 0) return 0;
        long heartbeatTime = Volatile.Read(ref _heartbeatRegistryTimeMs);
        if (heartbeatTime == 0) return 0;
        long lastChange = Volatile.Read(ref _lastChangeTimeMs);
        // Nothing applied since start (just recovered or bootstrapped): the age of our state is unknown, but we have
        // been behind at least since the first heartbeat that said so. A lower bound, never NaN (JSON, Prometheus).
        if (lastChange == long.MinValue) lastChange = Volatile.Read(ref _behindSinceRegistryMs);
        if (lastChange == 0) return 0;
        // The registry's clock now ≈ its clock at the last heartbeat + local time since: no heartbeats arrive while
        // changes stream, so the heartbeat time alone would under-state a long catch-up.
        double registryNow = heartbeatTime + _time.GetElapsedTime(Volatile.Read(ref _heartbeatLocalTimestamp)).TotalMilliseconds;
        return Math.Max(0, (registryNow - lastChange) / 1000.0);
    }

    /// <summary>Starts following; <paramref name="cancellationToken"/> cancelled means the host is stopping.</summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _hostStopping = cancellationToken;
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Let the host finish starting; everything below runs on the pool.
        await Task.Yield();
        using ImeiStoreSession session = _store.NewSession();
        bool bootstrap = LastApplied == 0, clear = false;
        if (_generation.BootstrapUnfinished)
        {
            // The store may hold part of a snapshot, or what was left of a clear: nothing to resume from.
            SyncLog.BootstrapUnfinished(_logger, LastApplied, _generation.ReadFailure ?? "the last bootstrap did not reach a checkpoint");
            bootstrap = clear = true;
        }
        else if (!bootstrap) SyncLog.Resuming(_logger, LastApplied, _generation.Current.IsNone ? "not recorded" : _generation.Current.ToString());
        _lastCheckpointTimestamp = _time.GetTimestamp();
        _lastCheckpointRecords = _store.LogRecords;
        int failures = 0;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                ulong appliedBefore = LastApplied;
                long started = _time.GetTimestamp();
                // One registry per attempt: the snapshot and the feed after it come from the same one.
                Uri registry = _registry.Url;
                string reason;
                // Whether the failure is the registry's (unreachable, silent, 5xx, ended): then the next one is tried.
                bool moveOn = true;
                try
                {
                    if (bootstrap)
                    {
                        await BootstrapAsync(session, clear, registry, stoppingToken);
                        bootstrap = clear = false;
                        failures = 0;
                    }
                    reason = await FollowAsync(session, registry, stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
                catch (RegistryBehindException e)
                {
                    SyncLog.RegistryBehind(_logger, LastApplied, e.Message);
                    bootstrap = clear = true;
                    reason = $"HTTP 409: the registry's last sequence is below this node's {LastApplied}; bootstrapping again";
                    Volatile.Write(ref _registryHead, 0); // the head we knew belongs to the registry's former history
                    moveOn = false;
                }
                catch (RegistryLaggingException e)
                {
                    // Never a bootstrap for a lag: the node's changes are in the stream, this process just has not
                    // read them yet. The next URL is tried, and this one again a round later, with the back-off.
                    SyncLog.RegistryLagging(_logger, registry.ToString(), LastApplied, e.Message);
                    reason = $"HTTP 409: registry {registry} has not yet reached this node's sequence {LastApplied} (it lags behind its stream); trying the next";
                }
                catch (FeedWindowPassedException e)
                {
                    SyncLog.FeedWindowPassed(_logger, LastApplied, e.Message);
                    bootstrap = clear = true;
                    reason = $"HTTP 409: the registry's feed no longer holds the changes after this node's {LastApplied}; bootstrapping again";
                    moveOn = false;
                }
                catch (GenerationChangedException e)
                {
                    SyncLog.GenerationChanged(_logger, e.Announced.ToString(), e.Followed.ToString(), LastApplied);
                    bootstrap = clear = true;
                    reason = $"the registry is generation {e.Announced}, not {e.Followed}; bootstrapping again";
                    Volatile.Write(ref _registryHead, 0);
                    moveOn = false;
                }
                catch (Exception e)
                {
                    // Anything else (refused, cut, damaged snapshot, or a bug) costs a reconnect, never the node:
                    // it keeps answering from its last state.
                    reason = (bootstrap ? "snapshot: " : "feed: ") + Describe(e);
                    // A refusal of ours (401, 4xx) would be the same at every registry of the generation.
                    moveOn = e is not RegistryRefusedException { IsServerError: false };
                }

                // The host's own token, not only the linked stoppingToken: a stopping host cancels it first, and the
                // linked token only by a callback that may run after the registry (in all-in-one, this very process)
                // has already ended the feed for the same stop. A feed ended by the stop is no reconnect to warn of.
                if (stoppingToken.IsCancellationRequested || _hostStopping.IsCancellationRequested) break;
                Volatile.Write(ref _lastError, new ErrorRecord(reason, _time.GetUtcNow()));
                Volatile.Write(ref _state, (int)SyncState.Disconnected);
                // A connection that got somewhere, or lasted, resets the back-off.
                if (LastApplied != appliedBefore || _time.GetElapsedTime(started) >= _options.MaxBackoff) failures = 0;
                failures++;
                // Someone else (sightings, TAC polling) may have moved on already: then this is not a second failure.
                if (moveOn && _registry.Url == registry) _registry.Failed(registry, reason);
                // The delay grows per round through every registry: a dead first one costs the second nothing.
                int round = (failures - 1) / _registry.Urls.Count + 1;
                TimeSpan delay = Backoff.Delay(_options.InitialBackoff, _options.MaxBackoff, round, Random.Shared.NextDouble());
                Interlocked.Increment(ref _reconnects);
                SyncLog.Reconnecting(_logger, reason, LastApplied, (long)delay.TotalMilliseconds, failures);
                try
                {
                    await Task.Delay(delay, _time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        finally
        {
            Volatile.Write(ref _state, (int)SyncState.Disconnected);
            await _checkpoint; // never faults: CheckpointAsync logs its own failures
            _firstCatchUp.TrySetCanceled(stoppingToken.IsCancellationRequested ? stoppingToken : CancellationToken.None);
        }
    }

    private static string Describe(Exception e)
    {
        string message = e.Message.TrimEnd('.');
        return e switch
        {
            RegistryRefusedException or SnapshotException => message,
            HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } => $"cannot connect to the registry: {message}",
            HttpRequestException or IOException => $"connection to the registry failed: {message}",
            _ => $"{e.GetType().Name}: {message}",
        };
    }

    /// <summary>After a parsed batch: head, state, the first catch-up, and a checkpoint when one is due.</summary>
    private void AfterBatch(int appliedChanges, bool headAnnounced)
    {
        ulong applied = LastApplied;
        if (appliedChanges > 0)
        {
            _changesSinceCheckpoint += appliedChanges;
            // The registry has at least what it sent us.
            if (applied > Volatile.Read(ref _registryHead)) Volatile.Write(ref _registryHead, applied);
        }
        if (headAnnounced)
        {
            bool caughtUp = applied >= Volatile.Read(ref _registryHead);
            Volatile.Write(ref _state, (int)(caughtUp ? SyncState.Following : SyncState.CatchingUp));
            if (caughtUp && _firstCatchUp.TrySetResult())
                SyncLog.CaughtUp(_logger, applied, Volatile.Read(ref _registryHead));
        }
        MaybeCheckpoint();
    }

    /// <summary>
    /// Starts a checkpoint when <see cref="SyncOptions.CheckpointInterval"/> has passed since the last, or when the
    /// changes since then reach <see cref="SyncOptions.CheckpointEveryChanges"/> and also the number of records the
    /// last checkpoint wrote. A checkpoint copies the whole log whatever the changes, so without that floor a burst (a
    /// catch-up, a bulk push) into a large store would take one full checkpoint per million changes, a large share of
    /// the cores (perf-baselines/feed-profile.txt), to save a few seconds of replay at a crash. The interval still
    /// bounds that replay.
    /// </summary>
    private void MaybeCheckpoint()
    {
        if (_changesSinceCheckpoint == 0 || !_checkpoint.IsCompleted) return;
        bool enoughChanges = _changesSinceCheckpoint >= Math.Max(_options.CheckpointEveryChanges, _lastCheckpointRecords);
        if (!enoughChanges && _time.GetElapsedTime(_lastCheckpointTimestamp) < _options.CheckpointInterval)
            return;
        StartCheckpoint();
    }

    /// <summary>
    /// Checkpoints the store with the sequence applied so far (docs/ARCHITECTURE.md, convention 11: the cursor is persisted only after what it
    /// covers is in the store). Runs beside the loop, which keeps applying; changes applied meanwhile may or may not
    /// be in the checkpoint, which is harmless because replays are idempotent.
    /// </summary>
    private void StartCheckpoint()
    {
        ulong sequence = LastApplied;
        RegistryGeneration generation = _generation.Current;
        _changesSinceCheckpoint = 0;
        _lastCheckpointTimestamp = _time.GetTimestamp();
        _lastCheckpointRecords = _store.LogRecords;
        _checkpoint = Task.Run(() => CheckpointAsync(sequence, generation));
    }

    private async Task CheckpointAsync(ulong sequence, RegistryGeneration generation)
    {
        try
        {
            await _store.CheckpointAsync(sequence);
            SyncLog.Checkpointed(_logger, sequence);
            // Only now does the checkpointed state belong to this generation (FollowedGeneration).
            if (sequence > 0) _generation.Checkpointed(generation);
        }
        catch (Exception e)
        {
            SyncLog.CheckpointFailed(_logger, sequence, e);
        }
    }

    private HttpRequestMessage NewRequest(string url, string accept)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _registry.ReaderToken);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        return request;
    }

    /// <summary>Turns a non-success answer into an exception whose message says what to fix (and never the token).</summary>
    private static async Task ThrowRefusedAsync(HttpResponseMessage response, string what, CancellationToken ct)
    {
        string detail = "";
        try
        {
            string body = await response.Content.ReadAsStringAsync(ct);
            if (body.Length > 300) body = body[..300] + "...";
            detail = body.Length > 0 ? ": " + body : "";
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
        }
        int code = (int)response.StatusCode;
        if (code == 401)
            throw new RegistryRefusedException($"HTTP 401 Unauthorized on {what}: the registry refused the reader token (check Registry:ReaderToken){detail}", code);
        throw new RegistryRefusedException($"HTTP {code} {response.ReasonPhrase} on {what}{detail}", code);
    }

    private sealed record ErrorRecord(string Message, DateTimeOffset At);
}
