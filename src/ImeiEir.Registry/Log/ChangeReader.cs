using ImeiEir.Core;

namespace ImeiEir.Registry;

/// <summary>
/// Reads committed changes in order for followers, and waits at the tail for the next commit: the feed's source.
/// Positioning is O(1) (the log's sequence index gives the address), and waiting is woken by the next publish.
/// </summary>
internal sealed class ChangeReader
{
    private readonly ChangeLog _log;
    private readonly PublishedSequence _published;
    private readonly TimeProvider _time;

    public ChangeReader(ChangeLog log, PublishedSequence published, TimeProvider time)
    {
        _log = log;
        _published = published;
        _time = time;
    }

    /// <summary>
    /// Copies the committed changes after <paramref name="after"/>, in order, into <paramref name="buffer"/> (as many
    /// as fit) and returns how many. When there are none yet, waits up to <paramref name="wait"/> for a commit and
    /// returns 0 if none came.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="after"/> is beyond the last published change.</exception>
    /// <exception cref="ObjectDisposedException">The registry is closing.</exception>
    public async ValueTask<int> ReadAsync(ulong after, Memory<Change> buffer, TimeSpan wait, CancellationToken ct)
    {
        if (buffer.IsEmpty) return 0;
        long deadline = 0;
        while (true)
        {
            _published.ThrowIfClosed();
            // Take the signal before reading the tail: a commit in between completes this signal, so it is not missed.
            Task signal = _published.Next;
            ulong last = _published.Value;
            if (after > last)
                throw new ArgumentOutOfRangeException(nameof(after), after, $"the registry's last change is {last}");
            if (after < last)
            {
                int count = (int)Math.Min((ulong)buffer.Length, last - after);
                _log.Read(after + 1, buffer.Span[..count]);
                return count;
            }

            if (deadline == 0) deadline = _time.GetTimestamp() + (long)(wait.TotalSeconds * _time.TimestampFrequency);
            TimeSpan remaining = _time.GetElapsedTime(_time.GetTimestamp(), deadline);
            if (remaining <= TimeSpan.Zero) return 0;
            try
            {
                await signal.WaitAsync(remaining, _time, ct).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return 0;
            }
        }
    }
}
