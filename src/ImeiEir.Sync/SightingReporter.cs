using System.Net;
using System.Net.Http.Headers;
using ImeiEir.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Sync;

/// <summary>
/// Carries the node's sightings to the registry, off the answer path (docs/ARCHITECTURE.md, rule 7). Answers enqueue into a bounded
/// lock-free <see cref="SightingQueue"/> and never wait; this loop drains it into a pending set (one entry per IMEI,
/// IMSI and kind, keeping the earliest time), posts batches, and keeps what failed for the next attempt with
/// exponential back-off. Nothing is dropped silently: a full queue and a full pending set are counted.
/// Posts go to the registry the node follows now (<see cref="RegistryLink.Url"/>); a post that finds it unreachable or
/// failing (5xx) moves the node to the next one, so the retry goes there.
/// </summary>
public sealed class SightingReporter : BackgroundService
{
    private readonly SightingsOptions _options;
    private readonly RegistryLink _registry;
    private readonly string _nodeName;
    private readonly SightingQueue _queue;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly ILogger<SightingReporter> _logger;
    private readonly Dictionary<(ulong Imei, PackedImsi Imsi, SightingKind Kind), uint> _pending = [];
    private long _reported;
    private long _failedAttempts;
    private long _dropped;
    private long _rejected;
    private int _pendingCount;

    /// <summary>
    /// A reporter to <paramref name="registry"/> that names this node <paramref name="nodeName"/> (its Diameter
    /// Origin-Host) in every batch, for the registry's log. Throws <see cref="ArgumentException"/> when the options or
    /// the link are invalid.
    /// </summary>
    public SightingReporter(SightingsOptions options, RegistryLink registry, string nodeName, SightingQueue queue, HttpClient http, TimeProvider time, ILogger<SightingReporter> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(nodeName);
        IReadOnlyList<string> problems = [.. options.Validate(), .. registry.Validate(SightingsOptions.Section)];
        if (problems.Count > 0) throw new ArgumentException(string.Join(Environment.NewLine, problems), nameof(options));
        _options = options;
        _registry = registry;
        _nodeName = nodeName;
        _queue = queue;
        _http = http;
        _time = time;
        _logger = logger;
    }

    /// <summary>Sightings the registry has acknowledged.</summary>
    public long Reported => Interlocked.Read(ref _reported);

    /// <summary>Report attempts that failed (registry down, an error status); their sightings were kept.</summary>
    public long FailedAttempts => Interlocked.Read(ref _failedAttempts);

    /// <summary>Sightings dropped because the queue (answer side) or the pending set (registry down too long) was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped) + _queue.Overflows;

    /// <summary>Sightings the registry refused as malformed (400): a bug, logged; retrying would not help.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>Sightings waiting: in the queue plus held for a retry.</summary>
    public int Queued => _queue.Count + Volatile.Read(ref _pendingCount);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        int failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            Drain();
            if (_pending.Count == 0)
            {
                if (!await DelayAsync(_options.FlushInterval, stoppingToken)) return;
                continue;
            }

            KeyValuePair<(ulong Imei, PackedImsi Imsi, SightingKind Kind), uint>[] batch = _pending.Take(_options.BatchSize).ToArray();
            string? failure = await PostAsync(batch, stoppingToken);
            if (failure is RejectedMarker)
            {
                failures = 0;
                continue;
            }
            if (failure is null)
            {
                foreach (var entry in batch)
                {
                    // A later duplicate with an earlier time may have arrived meanwhile: keep that one.
                    if (_pending.TryGetValue(entry.Key, out uint seen) && seen >= entry.Value) _pending.Remove(entry.Key);
                }
                Volatile.Write(ref _pendingCount, _pending.Count);
                Interlocked.Add(ref _reported, batch.Length);
                failures = 0;
                continue;
            }

            if (stoppingToken.IsCancellationRequested) return;
            failures++;
            Interlocked.Increment(ref _failedAttempts);
            TimeSpan delay = Backoff.Delay(_options.InitialBackoff, _options.MaxBackoff, failures, Random.Shared.NextDouble());
            SyncLog.SightingsRetrying(_logger, _pending.Count, failure, (long)delay.TotalMilliseconds, failures);
            if (!await DelayAsync(delay, stoppingToken)) return;
        }
    }

    private void Drain()
    {
        while (_queue.TryDequeue(out Sighting sighting))
        {
            var key = (sighting.ImeiKey, sighting.Imsi, sighting.Kind);
            if (_pending.TryGetValue(key, out uint seen))
            {
                if (sighting.SeenUnixSeconds < seen) _pending[key] = sighting.SeenUnixSeconds;
            }
            else if (_pending.Count < _options.MaxPending)
            {
                _pending[key] = sighting.SeenUnixSeconds;
            }
            else
            {
                Interlocked.Increment(ref _dropped);
            }
        }
        Volatile.Write(ref _pendingCount, _pending.Count);
    }

    private const string RejectedMarker = "rejected";

    /// <summary>
    /// Posts one batch: null when the registry took it; <see cref="RejectedMarker"/> when it refused the bytes (the
    /// batch is dropped and counted); otherwise why it failed (the batch stays pending).
    /// </summary>
    private async Task<string?> PostAsync(KeyValuePair<(ulong Imei, PackedImsi Imsi, SightingKind Kind), uint>[] batch, CancellationToken ct)
    {
        byte[] body = new byte[batch.Length * SightingCodec.Size];
        for (int i = 0; i < batch.Length; i++)
        {
            var ((imei, imsi, kind), seen) = batch[i];
            SightingCodec.Write(new Sighting(imei, imsi, seen, kind), body.AsSpan(i * SightingCodec.Size));
        }
        Uri registry = _registry.Url;
        using var request = new HttpRequestMessage(HttpMethod.Post, RegistryLink.Base(registry) + "/v1/sightings") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(SightingCodec.ContentType);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _registry.ReaderToken);
        request.Headers.TryAddWithoutValidation("X-ImeiEir-Node", _nodeName);
        try
        {
            using HttpResponseMessage response = await _http.SendAsync(request, ct);
            if (response.IsSuccessStatusCode) return null;
            string detail = await response.Content.ReadAsStringAsync(ct);
            if (response.StatusCode == HttpStatusCode.BadRequest)
            {
                // Our own encoding was refused: retrying the same bytes forever would block every later sighting.
                foreach (var entry in batch) _pending.Remove(entry.Key);
                Volatile.Write(ref _pendingCount, _pending.Count);
                // Logged before counted: whoever sees the count can rely on the log line being there.
                SyncLog.SightingsRejected(_logger, batch.Length, detail);
                Interlocked.Add(ref _rejected, batch.Length);
                return RejectedMarker;
            }
            string failure = $"HTTP {(int)response.StatusCode}: {detail}";
            if ((int)response.StatusCode >= 500) _registry.Failed(registry, "sightings: " + failure);
            return failure;
        }
        catch (Exception e) when (e is HttpRequestException or IOException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            // Unreachable, cut, or no answer in time: the registry's trouble, so the retry goes to the next one.
            _registry.Failed(registry, "sightings: " + e.Message);
            return e.Message;
        }
        catch (OperationCanceledException)
        {
            return "stopping";
        }
    }

    private async Task<bool> DelayAsync(TimeSpan delay, CancellationToken ct)
    {
        try
        {
            await Task.Delay(delay, _time, ct);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
