using System.IO.Pipelines;
using ImeiEir.Core;
using ImeiEir.Store;

namespace ImeiEir.Registry;

/// <summary>
/// Writes a <see cref="SnapshotFormat"/> snapshot of every live record of the view as of at least a given change
/// number S (in the header). Writes continue meanwhile: a record changed during the snapshot may be written with its
/// newer value or left out, and either way the change that did it has a number above S, so a node that applies the
/// snapshot and then the feed from S ends exactly at the registry's state.
/// </summary>
internal static class SnapshotWriter
{
    private const int FlushBytes = 64 * 1024;

    /// <summary>Streams the snapshot to <paramref name="destination"/>, with back-pressure.</summary>
    /// <param name="view">The view to scan.</param>
    /// <param name="sequence">The published change number when the snapshot was asked for: every change up to it is in the view.</param>
    /// <param name="generation">The registry's generation, named in the header.</param>
    /// <param name="destination">Where the bytes go.</param>
    /// <param name="ct">Ends the copy (the reader went away).</param>
    public static async Task WriteAsync(RegistryView view, ulong sequence, RegistryGeneration generation, Stream destination, CancellationToken ct)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 1 << 20, resumeWriterThreshold: 1 << 19, useSynchronizationContext: false));
        // The view's scan holds a FASTER session for its whole run, so it runs on a thread of its own and never
        // across an await; the pipe carries its bytes to the (asynchronous) destination with back-pressure.
        Task producer = Task.Factory.StartNew(() => Produce(view, sequence, generation, pipe.Writer), CancellationToken.None,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            await pipe.Reader.CopyToAsync(destination, ct).ConfigureAwait(false);
        }
        finally
        {
            await pipe.Reader.CompleteAsync().ConfigureAwait(false);
            await producer.ConfigureAwait(false);
        }
    }

    private static void Produce(RegistryView view, ulong sequence, RegistryGeneration generation, PipeWriter writer)
    {
        Exception? error = null;
        try
        {
            SnapshotFormat.WriteHeader(sequence, generation, writer.GetSpan(SnapshotFormat.HeaderSize));
            writer.Advance(SnapshotFormat.HeaderSize);
            ulong count = 0;
            int pending = 0;
            Span<PackedImsi> pairs = stackalloc PackedImsi[PairTable.MaxPairs];
            foreach ((Imei imei, ImeiRecord record) in view.Scan())
            {
                // A removal's tombstone is not a live record, unless the IMEI is still paired (rule 2a).
                if (record.List == ListKind.None && !record.IsPaired) continue;
                SnapshotFormat.WriteRecord(imei, record, writer.GetSpan(SnapshotFormat.RecordSize));
                writer.Advance(SnapshotFormat.RecordSize);
                count++;
                if (record.IsPaired)
                {
                    // Read after the record, so at least as new: the feed from S then ends at the registry's pairs.
                    int n = view.GetPairs(imei, pairs);
                    for (int slot = 0; slot < n; slot++)
                    {
                        SnapshotFormat.WritePair(imei, slot, pairs[slot], writer.GetSpan(SnapshotFormat.RecordSize));
                        writer.Advance(SnapshotFormat.RecordSize);
                    }
                    count += (ulong)n;
                    pending += n * SnapshotFormat.RecordSize;
                }
                if ((pending += SnapshotFormat.RecordSize) >= FlushBytes)
                {
                    pending = 0;
                    if (writer.FlushAsync().AsTask().GetAwaiter().GetResult().IsCompleted) return; // the reader went away
                }
            }
            SnapshotFormat.WriteTrailer(count, writer.GetSpan(SnapshotFormat.TrailerSize));
            writer.Advance(SnapshotFormat.TrailerSize);
            writer.FlushAsync().AsTask().GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            error = e;
        }
        finally
        {
            writer.Complete(error);
        }
    }
}
