using System.IO.Pipelines;

namespace ImeiEir.Sync;

/// <summary>
/// Copies a response stream into a pipe on its own task, so the socket reads and HTTP decoding of the next bytes run on
/// one core while the caller parses and applies the previous ones on the other: a bootstrap's apply loop took a whole
/// core with the reads in it (perf-baselines/bootstrap-profile.txt). What the stream throws (a cut connection) or a
/// cancellation reaches the reader's next <see cref="PipeReader.ReadAsync"/>, as with a reader over the stream.
/// Disposing stops the copy and waits for it, so nothing reads the stream after its owner disposes it.
/// </summary>
internal sealed class StreamPump : IAsyncDisposable
{
    // Enough read-ahead to keep the copy going while a batch is applied; bounded, so a slow store stalls the registry's
    // TCP stream instead of growing the node's memory.
    private const long PauseWriterThreshold = 4 * 1024 * 1024;

    private readonly Pipe _pipe;
    private readonly CancellationTokenSource _stop;
    private readonly Task _copy;

    private StreamPump(Stream stream, int segmentSize, CancellationToken token)
    {
        _pipe = new Pipe(new PipeOptions(
            pauseWriterThreshold: PauseWriterThreshold, resumeWriterThreshold: PauseWriterThreshold / 2,
            minimumSegmentSize: segmentSize, useSynchronizationContext: false));
        _stop = CancellationTokenSource.CreateLinkedTokenSource(token);
        _copy = Task.Run(() => CopyAsync(stream, _pipe.Writer, _stop.Token));
    }

    /// <summary>The bytes of the stream as they arrive.</summary>
    public PipeReader Reader => _pipe.Reader;

    /// <summary>Starts copying <paramref name="stream"/>; <paramref name="token"/> stops the copy (the reader then throws).</summary>
    public static StreamPump Start(Stream stream, int segmentSize, CancellationToken token) => new(stream, segmentSize, token);

    private static async Task CopyAsync(Stream stream, PipeWriter writer, CancellationToken token)
    {
        Exception? failure = null;
        try
        {
            await stream.CopyToAsync(writer, token);
        }
        catch (Exception e)
        {
            // Handed to the reader, which is where the caller looks for it.
            failure = e;
        }
        await writer.CompleteAsync(failure);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _copy;
        await _pipe.Reader.CompleteAsync();
        _stop.Dispose();
    }
}
