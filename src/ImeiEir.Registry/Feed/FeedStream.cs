using System.IO.Pipelines;
using ImeiEir.Core;

namespace ImeiEir.Registry;

/// <summary>
/// One follower's change feed: a heartbeat at once, then every committed change after its position, in order, in
/// batches as they come, and a heartbeat whenever the registry stayed quiet for
/// <see cref="RegistryOptions.HeartbeatInterval"/>. Never ends by itself: it ends when the follower goes (or the
/// token is cancelled) or the registry closes.
/// </summary>
internal static class FeedStream
{
    private const int Batch = 1024;

    /// <summary>
    /// Streams the changes after <paramref name="after"/> (at most the registry's last) into <paramref name="body"/>;
    /// <paramref name="follower"/> (when given) learns each position flushed, for the overview.
    /// </summary>
    public static async Task RunAsync(RegistryService registry, PipeWriter body, ulong after, bool ndjson, CancellationToken ct,
        FeedFollower? follower = null)
    {
        var changes = new Change[Batch];
        var frames = new FeedFrameWriter(body, ndjson, registry.Calendar);
        ulong position = after;
        registry.FeedStarted();
        try
        {
            frames.Heartbeat(registry.LastSequence, registry.Time.GetUtcNow().ToUnixTimeMilliseconds());
            if ((await body.FlushAsync(ct).ConfigureAwait(false)).IsCompleted) return;
            while (!ct.IsCancellationRequested)
            {
                int count = await registry.ReadChangesAsync(position, changes, registry.Options.HeartbeatInterval, ct).ConfigureAwait(false);
                if (count == 0)
                {
                    frames.Heartbeat(registry.LastSequence, registry.Time.GetUtcNow().ToUnixTimeMilliseconds());
                }
                else
                {
                    for (int i = 0; i < count; i++) frames.Change(changes[i]);
                    position = changes[count - 1].Sequence;
                }
                FlushResult flushed = await body.FlushAsync(ct).ConfigureAwait(false);
                if (flushed.IsCompleted || flushed.IsCanceled) return;
                follower?.Sent(position, registry.Time.GetUtcNow().ToUnixTimeMilliseconds());
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // the node went away: the normal end of a feed
        }
        catch (ObjectDisposedException)
        {
            // the registry is shutting down: end the stream; the node reconnects
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or InvalidDataException && position + 1 < registry.FirstRetainedSequence)
        {
            // retention truncated the log past this (very slow) follower: end the stream; its next request gets 409
        }
        finally
        {
            follower?.Closed(registry.Time.GetUtcNow().ToUnixTimeMilliseconds());
            registry.FeedEnded();
        }
    }
}
