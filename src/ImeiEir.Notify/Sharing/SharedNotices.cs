using System.Collections.Concurrent;
using System.Diagnostics;
using ImeiEir.Notify.Outbox;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.KeyValueStore;

namespace ImeiEir.Notify.Sharing;

/// <summary>
/// The outbox's notices in a JetStream key-value bucket, one key per notice (its idempotency key), the value the
/// encoded <see cref="NoticeRecord"/> (<see cref="NoticeRecordCodec"/>). Making a notice is a <em>create</em>, which
/// one process wins (the others learn it exists: a duplicate); every transition is an <em>update</em> conditional on
/// the revision this process last saw, redone on the newest record when another process wrote meanwhile. A watch
/// brings every other process's writes to <see cref="NoticeOutbox"/>, whose journal is this process's replica.
/// <para>
/// The outbox calls the synchronous methods under its lock (as it fsyncs under it): each waits for the servers'
/// acknowledgement, bounded by <see cref="CallTimeout"/>, and a server that does not answer is an
/// <see cref="IOException"/>, as a failed disk write is, so that the callers' handling of one is the handling of the other.
/// </para>
/// </summary>
internal sealed class SharedNotices : IAsyncDisposable
{
    /// <summary>How long one call waits for the servers.</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);

    private const int MaxConflicts = 50;

    private readonly INatsKVStore _bucket;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, ulong> _revisions = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private Task _watch = Task.CompletedTask;
    private long _watched;

    private SharedNotices(INatsKVStore bucket, ILogger logger)
    {
        _bucket = bucket;
        _logger = logger;
    }

    public string Bucket => _bucket.Bucket;

    /// <summary>Binds (or creates) the bucket; tried again for up to 30 s while the JetStream API does not answer.</summary>
    /// <exception cref="IOException">No server answered.</exception>
    public static async Task<SharedNotices> OpenAsync(NoticeSharing sharing, ILogger logger, CancellationToken ct)
    {
        var kv = new NatsKVContext(new NatsJSContext((NatsConnection)sharing.Connection));
        var config = new NatsKVConfig(sharing.Bucket) { History = 1, NumberOfReplicas = sharing.Replicas, Storage = NatsKVStorageType.File };
        long start = Stopwatch.GetTimestamp();
        while (true)
        {
            try
            {
                return new SharedNotices(await kv.CreateOrUpdateStoreAsync(config, ct), logger);
            }
            catch (Exception e) when (e is NatsException or TimeoutException && Stopwatch.GetElapsedTime(start) < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
            }
            catch (Exception e) when (e is NatsException or TimeoutException)
            {
                throw new IOException($"the shared outbox (JetStream bucket {sharing.Bucket}) cannot be opened: {e.Message}", e);
            }
        }
    }

    /// <summary>
    /// Starts the watch: <paramref name="apply"/> gets every notice in the bucket, then every later write (this
    /// process's own too: <see cref="IsNew"/> tells them apart). Returns once the notices there at the start were applied.
    /// </summary>
    public async Task<int> StartWatchAsync(Action<NoticeRecord, ulong> apply, CancellationToken ct)
    {
        var synced = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        _watch = Task.Run(() => WatchAsync(apply, synced, _stop.Token), CancellationToken.None);
        using CancellationTokenRegistration _ = ct.Register(() => synced.TrySetCanceled(ct));
        return await synced.Task;
    }

    /// <summary>Test hook: awaited by the watch before it applies an entry (a test holds a replica behind the bucket with it).</summary>
    internal Func<CancellationToken, Task>? BeforeApply { get; set; }

    /// <summary>Test hook: asked after each stored update; true makes the caller see a failure although the servers stored it (a lost acknowledgement).</summary>
    internal Func<NoticeRecord, bool>? LoseAcknowledgement { get; set; }

    /// <summary>
    /// Waits until the watch has applied every write the bucket held when called (its stream's last sequence), so that
    /// this process's replica is at least as new as the bucket was: a new sender decides what its predecessor left
    /// Sending from it (docs/ARCHITECTURE.md, "Notices").
    /// </summary>
    /// <exception cref="IOException">No server answered.</exception>
    public async Task CatchUpAsync(CancellationToken ct)
    {
        ulong last;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            timeout.CancelAfter(CallTimeout);
            try
            {
                last = (await _bucket.GetStatusAsync(timeout.Token)).Info.State.LastSeq;
            }
            catch (Exception e) when (e is NatsException or TimeoutException || (e is OperationCanceledException && !ct.IsCancellationRequested))
            {
                throw new IOException($"the shared outbox (JetStream bucket {Bucket}) did not answer: {e.Message}", e);
            }
        }
        while ((ulong)Interlocked.Read(ref _watched) < last) await Task.Delay(TimeSpan.FromMilliseconds(20), ct);
    }

    /// <summary>Whether <paramref name="revision"/> of <paramref name="key"/> is newer than any this process wrote or saw (and remembers it).</summary>
    public bool IsNew(string key, ulong revision)
    {
        while (true)
        {
            if (!_revisions.TryGetValue(key, out ulong known)) { if (_revisions.TryAdd(key, revision)) return true; continue; }
            if (revision <= known) return false;
            if (_revisions.TryUpdate(key, revision, known)) return true;
        }
    }

    /// <summary>Makes the notice; false when one with its key exists already (made by another process, or earlier).</summary>
    public bool TryCreate(NoticeRecord record)
    {
        NatsResult<ulong> result = Call(ct => _bucket.TryCreateAsync(NatsKey(record.Key), NoticeRecordCodec.Encode(record), cancellationToken: ct));
        if (result.Success)
        {
            IsNew(record.Key, result.Value);
            return true;
        }
        if (result.Error is NatsKVCreateException or NatsKVWrongLastRevisionException) return false;
        throw new IOException($"the shared outbox (JetStream bucket {Bucket}) refused notice {record.Key}: {result.Error.Message}", result.Error);
    }

    /// <summary>The notice as the bucket holds it now, or null.</summary>
    public NoticeRecord? TryGet(string key)
    {
        NatsResult<NatsKVEntry<byte[]>> entry = Call(ct => _bucket.TryGetEntryAsync<byte[]>(NatsKey(key), cancellationToken: ct));
        if (!entry.Success || entry.Value.Value is not byte[] value || entry.Value.Operation != NatsKVOperation.Put) return null;
        IsNew(key, entry.Value.Revision);
        return NoticeRecordCodec.Decode(value);
    }

    /// <summary>Drops a finished notice from the bucket (retention); one already dropped by another process is no error.</summary>
    public void Remove(string key)
    {
        Call(async ct =>
        {
            await _bucket.PurgeAsync(NatsKey(key), cancellationToken: ct);
            return true;
        });
        _revisions.TryRemove(key, out _);
    }

    /// <summary>
    /// Writes <paramref name="change"/>(the notice) conditionally on the revision last seen; when another process wrote
    /// meanwhile, reads the newest record and applies <paramref name="change"/> to that instead. Returns the record the
    /// bucket holds after (<paramref name="changed"/>: whether it is <paramref name="change"/>'s); <paramref name="change"/>
    /// returns null when the record needs no change.
    /// </summary>
    public NoticeRecord Update(NoticeRecord current, Func<NoticeRecord, NoticeRecord?> change, out bool changed)
    {
        string key = current.Key;
        for (int conflicts = 0; ; conflicts++)
        {
            NoticeRecord? next = change(current);
            if (next is null)
            {
                changed = false;
                return current;
            }
            if (_revisions.TryGetValue(key, out ulong revision))
            {
                NatsResult<ulong> result = Call(ct => _bucket.TryUpdateAsync(NatsKey(key), NoticeRecordCodec.Encode(next), revision, cancellationToken: ct));
                if (result.Success)
                {
                    if (LoseAcknowledgement?.Invoke(next) == true)
                        throw new IOException($"the shared outbox (JetStream bucket {Bucket}): the acknowledgement of notice {key} was lost (test hook)");
                    IsNew(key, result.Value);
                    changed = true;
                    return next;
                }
                if (result.Error is not NatsKVWrongLastRevisionException || conflicts >= MaxConflicts)
                    throw new IOException($"the shared outbox (JetStream bucket {Bucket}) refused a change of notice {key}: {result.Error.Message}", result.Error);
            }
            // Another process wrote it since (or this one never saw it): start again from the newest record.
            current = TryGet(key) ?? throw new IOException($"notice {key} is not in the shared outbox (JetStream bucket {Bucket})");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _watch;
        }
        catch (OperationCanceledException)
        {
            // stopped
        }
        _stop.Dispose();
    }

    /// <summary>A NATS subject token form of a notice key: letters, digits, '-' and '_' as they are, any other byte as =XX.</summary>
    internal static string NatsKey(string key)
    {
        if (key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')) return key;
        var text = new System.Text.StringBuilder(key.Length + 8);
        foreach (byte b in System.Text.Encoding.UTF8.GetBytes(key))
        {
            char c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_') text.Append(c);
            else text.Append('=').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return text.ToString();
    }

    private T Call<T>(Func<CancellationToken, ValueTask<T>> call)
    {
        using var timeout = new CancellationTokenSource(CallTimeout);
        try
        {
            return call(timeout.Token).AsTask().GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is NatsException or TimeoutException or OperationCanceledException)
        {
            throw new IOException($"the shared outbox (JetStream bucket {Bucket}) did not answer: {e.Message}", e);
        }
    }

    private async Task WatchAsync(Action<NoticeRecord, ulong> apply, TaskCompletionSource<int> synced, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            int initial = 0;
            try
            {
                var opts = new NatsKVWatchOpts
                {
                    // Deletes (purges of pruned notices) too, so that the revision watched reaches the stream's last sequence.
                    IgnoreDeletes = false,
                    OnNoData = _ =>
                    {
                        synced.TrySetResult(initial);
                        return ValueTask.FromResult(false);
                    },
                };
                await foreach (NatsKVEntry<byte[]> entry in _bucket.WatchAsync<byte[]>(opts: opts, cancellationToken: ct))
                {
                    if (BeforeApply is { } hook) await hook(ct);
                    if (entry.Operation == NatsKVOperation.Put && entry.Value is byte[] value)
                    {
                        apply(NoticeRecordCodec.Decode(value), entry.Revision);
                        initial++;
                    }
                    if ((long)entry.Revision > Interlocked.Read(ref _watched)) Interlocked.Exchange(ref _watched, (long)entry.Revision);
                    if (entry.Delta == 0) synced.TrySetResult(initial);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // An unreachable server, a journal that cannot be written: watch again from the start (a record
                // applied already is recognised by its revision and skipped).
                SharingLog.WatchFailed(_logger, Bucket, e);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), ct);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        synced.TrySetCanceled(ct);
    }
}
