using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using ImeiEir.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Sync.Tests;

/// <summary>What to slip into the next feed connection after a number of good change frames.</summary>
public enum Garbage
{
    None,

    /// <summary>A kind byte that is neither 'C' nor 'H'.</summary>
    UnknownKind,

    /// <summary>A 'C' frame whose 40 bytes do not decode (op 9).</summary>
    UndecodableChange,

    /// <summary>A well-formed change that skips a sequence number.</summary>
    Gap,

    /// <summary>A well-formed change that repeats an earlier sequence number.</summary>
    Regression,
}

/// <summary>One <c>POST /v1/sightings</c> as it arrived, and the status it was answered with.</summary>
internal sealed record SightingPost(int Status, string Authorization, string Node, string? ContentType, Sighting[] Sightings);

/// <summary>
/// The registry's HTTP contract on Kestrel (127.0.0.1, any port), served from an in-memory change list, with knobs
/// to misbehave: cut connections at byte offsets, send garbage, go silent, pause, or answer with an error status.
/// It also takes sightings (<c>POST /v1/sightings</c>) and keeps every post.
/// </summary>
internal sealed class FakeRegistry : IAsyncDisposable
{
    public const string Token = "reader-token-for-tests";

    private readonly object _gate = new();
    private readonly List<Change> _changes = new();
    private readonly ConcurrentQueue<long> _feedCuts = new();
    private readonly WebApplication _app;
    private TaskCompletionSource _changed = NewSignal();
    private CancellationTokenSource _reset = new();

    private FakeRegistry(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    /// <summary>Every request: "snapshot", "feed after=N" or "sightings N bytes", in arrival order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>When set, every request is answered with this status (problem+json).</summary>
    public int? ForcedStatus { get; set; }

    /// <summary>When set, <c>POST /v1/sightings</c> is answered with this status (problem+json) and its sightings are not kept.</summary>
    public int? SightingsStatus { get; set; }

    /// <summary>Every authorised <c>POST /v1/sightings</c>, in arrival order, with its status.</summary>
    public ConcurrentQueue<SightingPost> SightingPosts { get; } = new();

    /// <summary>The sightings the fake registry took (answered 200), in arrival order.</summary>
    public Sighting[] AcceptedSightings => SightingPosts.Where(p => p.Status == 200).SelectMany(p => p.Sightings).ToArray();

    /// <summary>Idle heartbeat interval of the feed (the real registry's default is 5 s).</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The snapshot is served as of min(head, this), so the feed carries the rest.</summary>
    public ulong SnapshotAtMost { get; set; } = ulong.MaxValue;

    /// <summary>One-shot: the next snapshot is cut after this many bytes.</summary>
    public long? SnapshotCutAt { get; set; }

    /// <summary>Cut feed connections by a clean end of the response (true) or by aborting the connection (false).</summary>
    public bool CutCleanly { get; set; }

    /// <summary>One-shot: the next feed connection sends a heartbeat and then nothing at all.</summary>
    public bool SilentOnce { get; set; }

    /// <summary>The first change the feed still serves (a registry's Registry:FeedRetention); 409 below it.</summary>
    public ulong FeedFirst { get; set; } = 1;

    /// <summary>One-shot: the next feed connection slips <see cref="GarbageKind"/> in after this many change frames.</summary>
    public int GarbageAfterChanges { get; set; }

    public Garbage GarbageKind { get; set; }

    /// <summary>When set, a feed connection holds at this sequence (after sending that change, or right after its first heartbeat when it starts there) until <see cref="Release"/>.</summary>
    public ulong? PauseAfter { get; set; }

    private TaskCompletionSource _release = NewSignal();

    public void Release() => _release.TrySetResult();

    /// <summary>The generation the fake names in its snapshot and its feed and snapshot headers; None: it names none (a registry from before generations).</summary>
    public RegistryGeneration Generation
    {
        get { lock (_gate) return _generation; }
        set { lock (_gate) _generation = value; }
    }

    private RegistryGeneration _generation = RegistryGeneration.NewRandom();

    public ulong Head
    {
        get { lock (_gate) return (ulong)_changes.Count; }
    }

    /// <summary>Cuts the next feed connections, one each, after this many bytes (counted from the start of the response body).</summary>
    public void CutNextFeeds(params long[] bytes)
    {
        foreach (long b in bytes) _feedCuts.Enqueue(b);
    }

    public int PendingCuts => _feedCuts.Count;

    public void ClearCuts() => _feedCuts.Clear();

    public int Count(string prefix) => Requests.Count(r => r.StartsWith(prefix, StringComparison.Ordinal));

    public static async Task<FakeRegistry> StartAsync(int port = 0)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        WebApplication app = builder.Build();
        var registry = new FakeRegistry(app);
        app.MapGet("/v1/snapshot", registry.SnapshotAsync);
        app.MapGet("/v1/feed", registry.FeedAsync);
        app.MapPost("/v1/sightings", registry.SightingsAsync);
        await app.StartAsync();
        registry.Url = new Uri(app.Urls.First() + "/");
        return registry;
    }

    /// <summary>A port nothing listens on right now (for "registry down at start").</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Appends changes; their sequence numbers are assigned here (dense, from head + 1).</summary>
    public void Append(IEnumerable<Change> changes)
    {
        lock (_gate)
        {
            foreach (Change change in changes)
                _changes.Add(change with { Sequence = (ulong)_changes.Count + 1 });
            _changed.TrySetResult();
            _changed = NewSignal();
        }
    }

    /// <summary>Replaces the whole log (a registry restored from another backup) and drops every feed connection.</summary>
    /// <param name="changes">The new log.</param>
    /// <param name="generation">When given, the generation the registry names from now on (set with the log, atomically).</param>
    public void ResetTo(IEnumerable<Change> changes, RegistryGeneration? generation = null)
    {
        CancellationTokenSource old;
        lock (_gate)
        {
            if (generation is { } newGeneration) _generation = newGeneration;
            _changes.Clear();
            foreach (Change change in changes)
                _changes.Add(change with { Sequence = (ulong)_changes.Count + 1 });
            old = _reset;
            _reset = new CancellationTokenSource();
        }
        old.Cancel();
        old.Dispose();
    }

    /// <summary>The live records as of <paramref name="sequence"/>: what a node must end with.</summary>
    public SortedDictionary<ulong, ImeiRecord> StateAt(ulong sequence)
    {
        lock (_gate) return Model.Apply(_changes.Take((int)Math.Min(sequence, (ulong)_changes.Count)));
    }

    public SortedDictionary<ulong, ImeiRecord> State() => StateAt(ulong.MaxValue);

    private async Task SnapshotAsync(HttpContext context)
    {
        Requests.Enqueue("snapshot");
        if (!Authorized(context) || await Forced(context)) return;

        ulong sequence;
        SortedDictionary<ulong, ImeiRecord> state;
        RegistryGeneration generation;
        lock (_gate)
        {
            generation = _generation;
            sequence = Math.Min((ulong)_changes.Count, SnapshotAtMost);
            state = Model.Apply(_changes.Take((int)sequence));
        }
        var bytes = new byte[SnapshotFormat.HeaderSize + state.Count * SnapshotFormat.RecordSize + SnapshotFormat.TrailerSize];
        SnapshotFormat.WriteHeader(sequence, generation, bytes);
        int offset = SnapshotFormat.HeaderSize;
        foreach ((ulong key, ImeiRecord record) in state)
        {
            SnapshotFormat.WriteRecord(Imei.FromKey(key), record, bytes.AsSpan(offset));
            offset += SnapshotFormat.RecordSize;
        }
        SnapshotFormat.WriteTrailer((ulong)state.Count, bytes.AsSpan(offset));

        context.Response.ContentType = SnapshotFormat.ContentType;
        if (!generation.IsNone) context.Response.Headers[FeedFormat.GenerationHeader] = generation.ToString();
        long? cut = SnapshotCutAt;
        SnapshotCutAt = null;
        if (cut is { } at && at < bytes.Length)
        {
            await context.Response.Body.WriteAsync(bytes.AsMemory(0, (int)at));
            await context.Response.Body.FlushAsync();
            await Task.Delay(20); // the scenario: a registry that dies mid-snapshot, after the bytes it sent
            context.Abort();
            return;
        }
        await context.Response.Body.WriteAsync(bytes);
    }

    private async Task FeedAsync(HttpContext context)
    {
        ulong after = ulong.Parse(context.Request.Query["after"].ToString(), System.Globalization.CultureInfo.InvariantCulture);
        Requests.Enqueue($"feed after={after}");
        if (!Authorized(context) || await Forced(context)) return;

        CancellationToken reset;
        CancellationTokenSource resetSource;
        RegistryGeneration generation;
        lock (_gate)
        {
            resetSource = _reset;
            reset = _reset.Token;
            generation = _generation;
        }
        if (!generation.IsNone) context.Response.Headers[FeedFormat.GenerationHeader] = generation.ToString();
        if (after > Head)
        {
            context.Response.StatusCode = 409;
            await context.Response.WriteAsJsonAsync(new { title = "Ahead of the registry", detail = $"after={after} but the last sequence is {Head}" },
                (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json");
            return;
        }
        if (after + 1 < FeedFirst)
        {
            context.Response.StatusCode = 409;
            await context.Response.WriteAsJsonAsync(new { title = "Behind the retained feed", detail = $"after={after} but the feed keeps changes from {FeedFirst} on" },
                (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json");
            return;
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, reset);
        var feed = new FeedWriter(context, _feedCuts.TryDequeue(out long cut) ? cut : -1, CutCleanly);
        bool silent = SilentOnce;
        SilentOnce = false;
        int garbageAfter = GarbageKind == Garbage.None ? -1 : GarbageAfterChanges;
        Garbage garbage = GarbageKind;
        GarbageKind = Garbage.None;
        context.Response.ContentType = FeedFormat.ContentType;
        try
        {
            feed.AddHeartbeat(Head);
            if (!await feed.FlushAsync()) return;
            if (silent)
            {
                await Task.Delay(Timeout.Infinite, linked.Token); // the scenario: a feed that goes silent
                return;
            }

            if (PauseAfter == after)
                await _release.Task.WaitAsync(linked.Token);
            ulong next = after + 1;
            int sent = 0;
            var batch = new Change[FeedWriter.BatchChanges];
            while (!linked.IsCancellationRequested)
            {
                Task changed;
                int count = 0;
                lock (_gate)
                {
                    // Reset meanwhile: the new log is another history, never sent under this response's generation.
                    if (!ReferenceEquals(_reset, resetSource)) return;
                    changed = _changed.Task;
                    int from = (int)next - 1;
                    if (from < _changes.Count)
                    {
                        count = Math.Min(FeedWriter.BatchChanges, _changes.Count - from);
                        _changes.CopyTo(from, batch, 0, count);
                    }
                }
                if (count > 0)
                {
                    for (int i = 0; i < count; i++)
                    {
                        Change change = batch[i];
                        if (sent == garbageAfter) feed.AddGarbage(garbage, change);
                        feed.AddChange(change);
                        sent++;
                        next = change.Sequence + 1;
                        if (PauseAfter == change.Sequence)
                        {
                            if (!await feed.FlushAsync()) return;
                            await _release.Task.WaitAsync(linked.Token);
                        }
                    }
                    if (!await feed.FlushAsync()) return;
                    continue;
                }
                // Idle: a heartbeat every interval until something changes.
                Task idle = Task.Delay(HeartbeatInterval, linked.Token); // the fake's heartbeat timer
                if (await Task.WhenAny(changed, idle) == idle)
                {
                    await idle;
                    feed.AddHeartbeat(Head);
                    if (!await feed.FlushAsync()) return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The client went away, or the registry was reset: end the response.
        }
        catch (IOException)
        {
        }
    }

    private async Task SightingsAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        byte[] bytes = body.ToArray();
        Requests.Enqueue($"sightings {bytes.Length} bytes");
        if (!Authorized(context) || await Forced(context)) return;

        // Decoded as the real registry does: whole 24-byte records, each valid, or the batch is refused.
        var sightings = new List<Sighting>();
        string? problem = bytes.Length % SightingCodec.Size == 0 ? null : $"the body is {bytes.Length} bytes, not a multiple of {SightingCodec.Size}";
        for (int offset = 0; problem is null && offset < bytes.Length; offset += SightingCodec.Size)
        {
            if (SightingCodec.TryRead(bytes.AsSpan(offset, SightingCodec.Size), out Sighting sighting, out string? why)) sightings.Add(sighting);
            else problem = $"sighting {offset / SightingCodec.Size + 1}: {why}";
        }
        int status = SightingsStatus ?? (problem is null ? 200 : 400);
        SightingPosts.Enqueue(new SightingPost(status, context.Request.Headers.Authorization.ToString(),
            context.Request.Headers["X-ImeiEir-Node"].ToString(), context.Request.ContentType, sightings.ToArray()));
        context.Response.StatusCode = status;
        if (status == 200)
            await context.Response.WriteAsJsonAsync(new { received = sightings.Count });
        else
            await context.Response.WriteAsJsonAsync(new { title = "refused by the test", status, detail = problem ?? "forced by the test" },
                (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json");
    }

    private static bool Authorized(HttpContext context)
    {
        if (context.Request.Headers.Authorization.ToString() == "Bearer " + Token) return true;
        context.Response.StatusCode = 401;
        return false;
    }

    private async Task<bool> Forced(HttpContext context)
    {
        if (ForcedStatus is not { } status) return false;
        context.Response.StatusCode = status;
        await context.Response.WriteAsJsonAsync(new { title = "forced by the test", status },
            (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json");
        return true;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask DisposeAsync()
    {
        _release.TrySetResult();
        _reset.Cancel();
        using (var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(2))) await _app.StopAsync(stopping.Token).WaitAsync(TimeSpan.FromSeconds(5));
        await _app.DisposeAsync();
    }

    /// <summary>Collects feed frames and writes them in batches, enforcing a cut: FlushAsync returns false once the cut has happened.</summary>
    private sealed class FeedWriter(HttpContext context, long cutAt, bool cleanly)
    {
        public const int BatchChanges = 4096;

        private readonly byte[] _buffer = new byte[(BatchChanges + 4) * FeedFormat.ChangeFrameSize];
        private int _length;
        private long _written;

        public void AddHeartbeat(ulong head)
        {
            FeedFormat.WriteHeartbeat(head, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), _buffer.AsSpan(_length));
            _length += FeedFormat.HeartbeatFrameSize;
        }

        public void AddChange(Change change)
        {
            FeedFormat.WriteChange(change, _buffer.AsSpan(_length));
            _length += FeedFormat.ChangeFrameSize;
        }

        public void AddGarbage(Garbage kind, Change next)
        {
            Span<byte> frame = _buffer.AsSpan(_length, FeedFormat.ChangeFrameSize);
            switch (kind)
            {
                case Garbage.UnknownKind:
                    FeedFormat.WriteChange(next, frame);
                    frame[0] = (byte)'X';
                    break;
                case Garbage.UndecodableChange:
                    FeedFormat.WriteChange(next, frame);
                    frame[1 + 28] = 9; // op
                    break;
                case Garbage.Gap:
                    FeedFormat.WriteChange(next with { Sequence = next.Sequence + 1 }, frame);
                    break;
                case Garbage.Regression:
                    FeedFormat.WriteChange(next with { Sequence = next.Sequence - 1, List = ListKind.Black, Reason = Reason.Stolen }, frame);
                    break;
            }
            _length += FeedFormat.ChangeFrameSize;
        }

        public async Task<bool> FlushAsync()
        {
            ReadOnlyMemory<byte> bytes = _buffer.AsMemory(0, _length);
            _length = 0;
            Stream body = context.Response.Body;
            if (cutAt >= 0 && _written + bytes.Length > cutAt)
            {
                int keep = (int)(cutAt - _written);
                if (keep > 0) await body.WriteAsync(bytes[..keep], context.RequestAborted);
                await body.FlushAsync(context.RequestAborted);
                _written = cutAt;
                if (!cleanly)
                {
                    await Task.Delay(10); // the scenario: a registry that dies mid-feed, after the bytes it sent
                    context.Abort();
                }
                return false;
            }
            await body.WriteAsync(bytes, context.RequestAborted);
            await body.FlushAsync(context.RequestAborted);
            _written += bytes.Length;
            return true;
        }
    }
}
