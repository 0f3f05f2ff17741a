using ImeiEir.Registry.JetStream;

namespace ImeiEir.Registry.Tests.JetStream;

/// <summary>
/// What a registry process will do with the change stream, reduced to the log: append its changes in batches at
/// the stream's end; on a lost race, read what the others wrote (its own changes among them count as written: the
/// log decided) and append the rest after it; on an unknown outcome, send the same batch again (the message ids make
/// that safe). Writer <c>w</c>'s change number <c>n</c> sets IMEI key <see cref="StreamChanges.Key"/>(w, n).
/// </summary>
internal sealed class CatchingUpWriter(JetStreamChangeStream stream, int writer)
{
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(100);

    /// <summary>Each change number this writer knows is in the stream, and its sequence.</summary>
    public Dictionary<long, ulong> Written { get; } = [];

    /// <summary>How many changes are written so far, safe to read while <see cref="WriteAsync"/> runs.</summary>
    public int Count => Volatile.Read(ref _count);

    private int _count;

    public int LostRaces { get; private set; }

    public int Unavailable { get; private set; }

    /// <summary>
    /// Appends changes 0..<paramref name="count"/>-1 in batches of <paramref name="batchSize"/>. Starts no new batch
    /// once <paramref name="stop"/> fired, but settles the one under way (its outcome is known at the end), so the
    /// stream holds exactly <see cref="Written"/>. Gives up only when <paramref name="ct"/> fires.
    /// </summary>
    public async Task WriteAsync(int count, int batchSize, CancellationToken stop, CancellationToken ct) =>
        await WriteAsync(count, batchSize, TimeSpan.Zero, stop, ct);

    /// <summary>
    /// As <see cref="WriteAsync(int, int, CancellationToken, CancellationToken)"/>, waiting up to
    /// <paramref name="pace"/> (at random) after each batch, as pushes arrive: two writers that never pause starve
    /// the one catching up, which is not what this is about.
    /// </summary>
    public async Task WriteAsync(int count, int batchSize, TimeSpan pace, CancellationToken stop, CancellationToken ct)
    {
        ulong end = await RetryAsync(() => stream.LastSequenceAsync(ct), ct);
        long next = 0;   // every number below is written
        bool unsettled = false;
        while (true)
        {
            if (stop.IsCancellationRequested && !unsettled) return;
            while (next < count && Written.ContainsKey(next)) next++;
            long[] numbers = [.. Enumerable.Range(0, (int)(count - next)).Select(i => next + i).Where(n => !Written.ContainsKey(n)).Take(batchSize)];
            if (numbers.Length == 0) return;
            LoggedChange[] batch = [.. numbers.Select((n, i) => StreamChanges.One(end + 1 + (ulong)i, writer, n))];
            AppendResult result;
            try
            {
                result = await stream.AppendAsync(batch, ct);
            }
            catch (ChangeStreamUnavailableException)
            {
                unsettled = true;
                Unavailable++;
                await Task.Delay(RetryPause, ct);
                continue;   // the same batch at the same sequences again
            }
            unsettled = false;
            for (int i = 0; i < result.Written; i++) Written.Add(numbers[i], batch[i].Change.Sequence);
            if (result.Outcome == AppendOutcome.LostRace)
            {
                LostRaces++;
                ulong from = end + 1 + (ulong)result.Written;
                await RetryAsync(async () =>
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    timeout.CancelAfter(TimeSpan.FromSeconds(10));
                    await foreach (LoggedChange change in stream.ReadAsync(from, result.StreamLastSequence, timeout.Token))
                    {
                        // One of ours whose acknowledgement was lost: the log has it, so it is written.
                        long number = (long)(change.Change.ImeiKey - StreamChanges.Key(writer, 0));
                        if (change.Change.ImeiKey >= StreamChanges.Key(writer, 0) && number < count) Written.TryAdd(number, change.Change.Sequence);
                    }
                    return true;
                }, ct);
            }
            end = result.StreamLastSequence;
            Volatile.Write(ref _count, Written.Count);
            if (pace > TimeSpan.Zero) await Task.Delay(pace * Random.Shared.NextDouble(), ct);
        }
    }

    private async Task<T> RetryAsync<T>(Func<Task<T>> action, CancellationToken ct)
    {
        while (true)
        {
            try
            {
                return await action();
            }
            catch (Exception e) when (e is ChangeStreamUnavailableException or NATS.Client.Core.NatsException or TimeoutException
                                          or OperationCanceledException && !ct.IsCancellationRequested)
            {
                Unavailable++;
                await Task.Delay(RetryPause, ct);
            }
        }
    }
}
