using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using ImeiEir.Core;
using ImeiEir.Store;

namespace ImeiEir.Sync;

public sealed partial class SyncAgent
{
    /// <summary>
    /// Follows <c>GET /v1/feed?after=LastApplied</c> until the connection ends; returns why it ended. Throws for a
    /// refused request (<see cref="RegistryRefusedException"/>, <see cref="RegistryBehindException"/>) and network errors.
    /// </summary>
    /// <summary>The title of the registry's 409 for a node behind its retained feed (Registry/Api/GetFeedEndpoint.cs).</summary>
    private const string RetainedFeedTitle = "Behind the retained feed";

    private async Task<string> FollowAsync(ImeiStoreSession session, Uri registry, CancellationToken stopping)
    {
        ulong after = LastApplied;
        // The watchdog: no frame for HeartbeatTimeout → cancel the request (which closes the connection).
        using var watchdog = new CancellationTokenSource(_options.HeartbeatTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, watchdog.Token);
        CancellationToken token = linked.Token;
        try
        {
            using HttpRequestMessage request = NewRequest($"{RegistryLink.Base(registry)}/v1/feed?after={after}", FeedFormat.ContentType);
            using HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token);
            bool sameNamedGeneration = CheckGeneration(response);
            if (response.StatusCode == HttpStatusCode.Conflict)
            {
                string detail = await response.Content.ReadAsStringAsync(token);
                detail = detail.Length > 300 ? detail[..300] : detail;
                // The same status says three things: the registry lost history the node has, retention dropped the
                // changes the node still needs, or (several processes of one registry) this process has not yet
                // tailed changes the node applied from another. The first two are healed by a bootstrap; the last by
                // going on to another process, or by waiting: the stream behind one generation never goes back.
                if (detail.Contains(RetainedFeedTitle, StringComparison.Ordinal)) throw new FeedWindowPassedException(detail);
                if (sameNamedGeneration && _registry.Urls.Count > 1) throw new RegistryLaggingException(detail);
                throw new RegistryBehindException(detail);
            }
            if (!response.IsSuccessStatusCode) await ThrowRefusedAsync(response, "the feed", token);
            string? mediaType = response.Content.Headers.ContentType?.MediaType;
            if (mediaType is not null && mediaType != FeedFormat.ContentType)
                throw new RegistryRefusedException($"the feed answered with content type {mediaType}, not {FeedFormat.ContentType}",
                    // Not a registry's answer (a proxy's page?): that URL's fault, as a bad gateway's, so the next one is tried.
                    (int)HttpStatusCode.BadGateway);

            await using Stream stream = await response.Content.ReadAsStreamAsync(token);
            PipeReader reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: PipeBufferSize, leaveOpen: true));
            SyncLog.FeedConnected(_logger, after);
            if (registry != _followedUrl)
            {
                // Once per registry followed, not per reconnect: which one the node follows, in the log.
                _followedUrl = registry;
                SyncLog.FollowingRegistry(_logger, registry.ToString(), after, _generation.Current.IsNone ? "not named" : _generation.Current.ToString());
            }
            try
            {
                return await ReadFeedAsync(reader, session, registry, watchdog, token);
            }
            finally
            {
                await reader.CompleteAsync();
            }
        }
        catch (OperationCanceledException) when (watchdog.IsCancellationRequested && !stopping.IsCancellationRequested)
        {
            return $"no frame from the registry for {_options.HeartbeatTimeout.TotalSeconds:0.###} s";
        }
    }

    /// <summary>
    /// Compares the generation the registry names (<see cref="FeedFormat.GenerationHeader"/>) with the store's: another
    /// one throws <see cref="GenerationChangedException"/>; a store of no known generation adopts it; a registry that
    /// names none (older than generations) is followed as before. True when the registry named the very generation
    /// the store already held.
    /// </summary>
    private bool CheckGeneration(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues(FeedFormat.GenerationHeader, out IEnumerable<string>? values)
            || !RegistryGeneration.TryParse(values.FirstOrDefault(), out RegistryGeneration announced) || announced.IsNone)
            return false;
        RegistryGeneration followed = _generation.Current;
        if (followed.IsNone)
        {
            _generation.Current = announced;
            return false;
        }
        if (followed != announced) throw new GenerationChangedException(followed, announced);
        return true;
    }

    private async Task<string> ReadFeedAsync(PipeReader reader, ImeiStoreSession session, Uri registry, CancellationTokenSource watchdog, CancellationToken token)
    {
        bool headAnnounced = false;
        while (true)
        {
            ReadResult result = await reader.ReadAsync(token);
            ReadOnlySequence<byte> buffer = result.Buffer;
            SequencePosition consumed = buffer.Start;
            var applier = new FeedApplier(this, session);
            FeedParseStatus status;
            int frames;
            long unparsed;
            // One epoch entry for the whole buffer's changes, not one per read and write (the batch is synchronous).
            session.EnterBatch();
            try
            {
                status = FeedParser.Parse(buffer, ref applier, out consumed, out frames);
                applier.Drain();
                unparsed = buffer.Slice(consumed).Length;
            }
            finally
            {
                session.ExitBatch();
                // The one AdvanceTo (docs/ARCHITECTURE.md, convention 2): consumed = whole frames handled, examined = everything received.
                reader.AdvanceTo(consumed, buffer.End);
            }

            if (frames > 0) watchdog.CancelAfter(_options.HeartbeatTimeout);
            headAnnounced |= applier.Heartbeats > 0;
            AfterBatch(applier.Applied, headAnnounced);

            if (status != FeedParseStatus.NeedMoreData)
            {
                string reason = status switch
                {
                    FeedParseStatus.UnknownKind => "a feed frame of unknown kind (corrupt stream)",
                    FeedParseStatus.BadChange => $"a change frame that does not decode, after sequence {LastApplied}",
                    _ => $"sequence {applier.RefusedSequence} where {LastApplied + 1} was expected",
                };
                SyncLog.BadFeed(_logger, reason);
                return reason;
            }
            // Sightings or TAC polling found this registry failing and moved the node on: one registry at a time.
            if (_registry.Url != registry)
                return $"the node moved to registry {_registry.Url}";
            if (result.IsCompleted)
                return unparsed > 0
                    ? $"the registry closed the feed in the middle of a frame ({unparsed} bytes of it received)"
                    : "the registry closed the feed";
        }
    }

    /// <summary>Applies each change of a parsed batch; refuses one that does not follow <see cref="LastApplied"/> directly.</summary>
    /// <remarks>
    /// A change is applied <see cref="ImeiStoreSession.PrefetchDistance"/> changes after its bucket is prefetched (in
    /// order, so two changes to one IMEI keep theirs), and published as applied only then; <see cref="Drain"/>
    /// applies the rest before the batch ends, and a heartbeat drains first so it compares the head with what is
    /// really applied.
    /// </remarks>
    private struct FeedApplier(SyncAgent agent, ImeiStoreSession session) : IFeedFrameHandler
    {
        public int Applied;
        public int Heartbeats;
        public ulong RefusedSequence;
        private ulong _accepted = agent._lastApplied;
        private PrefetchWindow<Change> _window;

        public bool OnChange(in Change change)
        {
            // Sequences are dense: the feed after N starts at N + 1. Anything else is a gap (never applied past)
            // or a regression; both mean the stream cannot be trusted.
            if (change.Sequence != _accepted + 1)
            {
                RefusedSequence = change.Sequence;
                return false;
            }
            _accepted = change.Sequence;
            session.Prefetch(change.Imei);
            if (_window.Push(change, out Change due)) Apply(due);
            return true;
        }

        public void Drain()
        {
            while (_window.TryTake(out Change due)) Apply(due);
        }

        private void Apply(in Change change)
        {
            ChangeApplier.Apply(session, change);
            // Visible in the store before it is published as applied.
            Volatile.Write(ref agent._lastApplied, change.Sequence);
            Volatile.Write(ref agent._lastChangeTimeMs, change.TimeUnixMilliseconds);
            Applied++;
        }

        public void OnHeartbeat(ulong headSequence, long registryTimeUnixMilliseconds)
        {
            Drain();
            Heartbeats++;
            Volatile.Write(ref agent._registryHead, headSequence);
            Volatile.Write(ref agent._heartbeatRegistryTimeMs, registryTimeUnixMilliseconds);
            Volatile.Write(ref agent._heartbeatLocalTimestamp, agent._time.GetTimestamp());
            if (headSequence <= agent._lastApplied)
                Volatile.Write(ref agent._behindSinceRegistryMs, 0);
            else if (agent._behindSinceRegistryMs == 0)
                Volatile.Write(ref agent._behindSinceRegistryMs, registryTimeUnixMilliseconds);
        }
    }
}
