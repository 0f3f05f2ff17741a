using System.Diagnostics;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.KeyValueStore;

namespace ImeiEir.Registry.JetStream;

/// <summary>
/// A lease held by one process at a time (the notifier's, issue 23: one process sends SMS), in a JetStream
/// key-value bucket next to the change stream (<c>&lt;Stream&gt;_LEASES</c>, one key per lease, the bucket's max
/// age = the lease's time to live). Taking it is a create of the key, which only one contender wins; renewing is an
/// update conditional on the holder's last revision. When the holder stops renewing (it died, or is cut off), the
/// key ages out of the bucket after the time to live and the next contender's create wins: taken over within
/// the time to live plus one try interval.
/// <para>
/// The holder believes it holds the lease only until its last successful write's <em>send</em> time plus the time
/// to live minus <see cref="SafetyMargin"/>, on its own monotonic clock. The server ages the key from when it
/// stored that write, which is later, so the old holder has stopped believing before anyone else can take over.
/// The server hands it to the notifier as its sender lease (docs/ARCHITECTURE.md, "Notices").
/// </para>
/// </summary>
public sealed class JetStreamLease : IAsyncDisposable
{
    /// <summary>How much earlier than the key can age out the holder stops believing it holds the lease.</summary>
    public static readonly TimeSpan SafetyMargin = TimeSpan.FromMilliseconds(500);

    private readonly NatsConnection _connection;
    private readonly INatsKVStore _bucket;
    private readonly string _key;
    private readonly TimeSpan _timeToLive;
    private ulong _revision;          // of our last write; 0 when not holding
    private long _validUntil;         // Stopwatch timestamp

    private JetStreamLease(NatsConnection connection, INatsKVStore bucket, string key, TimeSpan timeToLive)
    {
        _connection = connection;
        _bucket = bucket;
        _key = key;
        _timeToLive = timeToLive;
    }

    /// <summary>Who this contender is (written as the key's value, for operators looking at the bucket).</summary>
    public string HolderId { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    /// <summary>How long the key lives after the holder's last write.</summary>
    public TimeSpan TimeToLive => _timeToLive;

    /// <summary>Whether this process holds the lease now (by its own clock, see the class remarks).</summary>
    public bool IsHeld => _revision != 0 && Stopwatch.GetTimestamp() < Volatile.Read(ref _validUntil);

    /// <summary>
    /// Connects and binds (or creates) the lease bucket of <paramref name="options"/>' stream; <paramref name="name"/>
    /// is the lease (a key: letters, digits, '-', '_'). <paramref name="timeToLive"/> is at least 1 s (renew every
    /// third of it).
    /// </summary>
    /// <exception cref="ChangeStreamUnavailableException">No server answered.</exception>
    public static async Task<JetStreamLease> OpenAsync(NatsOptions options, string name, TimeSpan timeToLive, CancellationToken ct)
    {
        if (timeToLive < TimeSpan.FromSeconds(1)) throw new ArgumentOutOfRangeException(nameof(timeToLive), timeToLive, "at least 1 s");
        var connection = new NatsConnection(JetStreamChangeStream.ConnectionOptions(options));
        try
        {
            await connection.ConnectAsync();
            var kv = new NatsKVContext(new NatsJSContext(connection));
            INatsKVStore bucket = await ApiRetry.UntilAnsweredAsync(() => kv.CreateOrUpdateStoreAsync(new NatsKVConfig(options.Stream + "_LEASES")
            {
                History = 1,
                MaxAge = timeToLive,
                NumberOfReplicas = options.Replicas,
                Storage = NatsKVStorageType.File,
            }, ct).AsTask(), ct);
            return new JetStreamLease(connection, bucket, name, timeToLive);
        }
        catch (Exception e) when (e is NatsException or TimeoutException)
        {
            await connection.DisposeAsync();
            throw new ChangeStreamUnavailableException($"cannot open the lease bucket of {options.Stream} at {options.Url}: {e.Message}", e);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// One step: renews the lease when held, tries to take it otherwise. Returns <see cref="IsHeld"/> after.
    /// A failure to reach the servers is not an error here: the lease simply runs out.
    /// </summary>
    public async Task<bool> TryAcquireOrRenewAsync(CancellationToken ct)
    {
        long sent = Stopwatch.GetTimestamp();
        try
        {
            NatsResult<ulong> result = _revision != 0
                ? await _bucket.TryUpdateAsync(_key, HolderId, _revision, cancellationToken: ct)
                : await _bucket.TryCreateAsync(_key, HolderId, cancellationToken: ct);
            if (result.Success)
            {
                _revision = result.Value;
                Volatile.Write(ref _validUntil, sent + (long)((_timeToLive - SafetyMargin).TotalSeconds * Stopwatch.Frequency));
            }
            else
            {
                _revision = 0;   // someone else holds it (or took it over after ours ran out)
            }
        }
        catch (Exception e) when (e is NatsException or TimeoutException)
        {
            // Unreachable: keep the revision, so a renewal within the time to live still works; IsHeld runs out.
        }
        if (!IsHeld) _revision = 0;
        return IsHeld;
    }

    /// <summary>Gives the lease up at once (a delete conditional on our revision), so another takes it without waiting.</summary>
    public async Task ReleaseAsync(CancellationToken ct)
    {
        if (_revision == 0) return;
        ulong revision = _revision;
        _revision = 0;
        try
        {
            await _bucket.TryDeleteAsync(_key, new NatsKVDeleteOpts { Revision = revision }, ct);
        }
        catch (Exception e) when (e is NatsException or TimeoutException)
        {
            // It runs out on its own.
        }
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
