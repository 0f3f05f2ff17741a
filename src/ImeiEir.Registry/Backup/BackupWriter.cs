using System.Buffers;
using ImeiEir.Core;

namespace ImeiEir.Registry;

/// <summary>
/// Writes a <see cref="BackupFormat"/> backup: the committed changes 1..S, read from the log in batches while writes
/// go on, then the attribution records and the sections. The log is append-only and every change up to S is durable
/// and published, so the copy is exactly the registry as of S however long it takes. A log that retention truncated
/// (it begins at F > 1, held there for the copy) gives the base records (<see cref="BackupBase"/>, taken under the
/// write gate) first, then F..S.
/// </summary>
internal static class BackupWriter
{
    private const int Batch = 4096;

    /// <param name="changes">The log's reader.</param>
    /// <param name="sequence">S: the published change number when the backup was asked for.</param>
    /// <param name="generation">The registry's generation (a restore makes a new one; this names the source).</param>
    /// <param name="takenUnixMilliseconds">When the backup was taken.</param>
    /// <param name="destination">Where the bytes go.</param>
    /// <param name="ct">Ends the copy (the reader went away).</param>
    /// <param name="attribution">The attribution records of changes 1..S (<see cref="AttributionLog.EncodeUpto"/>).</param>
    /// <param name="sections">The state beside the log, captured when S was read (<see cref="BackupFormat.EncodeSections"/>).</param>
    /// <param name="first">F: the log's first change (1 for a whole log).</param>
    /// <param name="baseFile">The base records' file (<see cref="BackupBase.Write"/>) when F &gt; 1; null otherwise.</param>
    /// <param name="baseRecords">How many records it holds.</param>
    public static async Task WriteAsync(ChangeReader changes, ulong sequence, byte[] attribution, byte[] sections, RegistryGeneration generation,
        long takenUnixMilliseconds, ulong first, string? baseFile, ulong baseRecords, Stream destination, CancellationToken ct)
    {
        var buffer = new Change[Batch];
        byte[] bytes = ArrayPool<byte>.Shared.Rent(Math.Max(BackupFormat.MaxHeaderSize, Batch * BackupFormat.ChangeSize));
        try
        {
            BackupFormat.WriteHeader(sequence, generation, takenUnixMilliseconds, attribution.Length, sections.Length, first, baseRecords, bytes);
            await destination.WriteAsync(bytes.AsMemory(0, BackupFormat.HeaderSize), ct).ConfigureAwait(false);
            if (first > 1)
            {
                await using var records = new FileStream(baseFile!, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
                await records.CopyToAsync(destination, ct).ConfigureAwait(false);
            }
            ulong after = first - 1;
            while (after < sequence)
            {
                int want = (int)Math.Min((ulong)Batch, sequence - after);
                int count = await changes.ReadAsync(after, buffer.AsMemory(0, want), TimeSpan.Zero, ct).ConfigureAwait(false);
                if (count == 0) throw new InvalidOperationException($"the change log returned nothing after change {after}, below the backup's {sequence}");
                for (int i = 0; i < count; i++) ChangeCodec.Write(buffer[i], bytes.AsSpan(i * BackupFormat.ChangeSize, BackupFormat.ChangeSize));
                await destination.WriteAsync(bytes.AsMemory(0, count * BackupFormat.ChangeSize), ct).ConfigureAwait(false);
                after += (ulong)count;
            }
            await destination.WriteAsync(attribution, ct).ConfigureAwait(false);
            await destination.WriteAsync(sections, ct).ConfigureAwait(false);
            BackupFormat.WriteTrailer(sequence, bytes);
            await destination.WriteAsync(bytes.AsMemory(0, BackupFormat.TrailerSize), ct).ConfigureAwait(false);
            await destination.FlushAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }
}
