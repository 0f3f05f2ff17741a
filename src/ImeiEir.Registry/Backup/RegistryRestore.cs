using System.Diagnostics;
using ImeiEir.Core;
using ImeiEir.Store;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Registry;

/// <summary>
/// Rebuilds a registry directory from a <see cref="BackupFormat"/> backup: appends changes 1..S to a new change log
/// with their per-IMEI back-links (history), applies them to a new view and checkpoints it at S. A version-3 backup
/// (a log truncated by retention) applies its base records to the view first and the new log begins at its first
/// change F, as the old one did. The directory then
/// opens as any registry, with a new generation (<see cref="GenerationFile"/>, made at that open), so nodes of the old
/// registry bootstrap afresh instead of mixing two histories. While it runs, <c>restore.incomplete</c> marks the
/// directory: a restore cut short (a crash, a bad backup) is never opened as a registry.
/// </summary>
internal static class RegistryRestore
{
    public const string IncompleteMarker = "restore.incomplete";

    private const int Batch = 4096;
    private const ulong CommitEvery = 128 * 1024;

    /// <summary>Restores <paramref name="backupFile"/> into <paramref name="directory"/>; returns the sequence it holds.</summary>
    /// <param name="backupFile">The backup (<see cref="BackupFormat"/>).</param>
    /// <param name="options">The registry's options (the view's sizing).</param>
    /// <param name="directory">The registry's data directory, holding no registry yet.</param>
    /// <param name="logger">Where the restore is logged.</param>
    /// <param name="ct">Cancels the restore, leaving the directory marked incomplete.</param>
    /// <param name="publish">
    /// Called with each batch of changes (with their back-links) once appended locally, before the local commit: the
    /// JetStream restore (<see cref="JetStream.StreamRestore"/>) puts them in the stream there. The directory keeps
    /// <see cref="IncompleteMarker"/> until the last batch is published, so a restore cut short there is never opened.
    /// </param>
    /// <exception cref="InvalidOperationException">The directory already holds a registry.</exception>
    /// <exception cref="InvalidDataException">The file is not a whole backup; nothing usable is left in the directory.</exception>
    public static async Task<ulong> RestoreAsync(string backupFile, RegistryOptions options, string directory, ILogger logger, CancellationToken ct,
        Func<IReadOnlyList<JetStream.LoggedChange>, CancellationToken, Task>? publish = null)
    {
        directory = Path.GetFullPath(directory);
        string logDirectory = Path.Combine(directory, "log"), viewDirectory = Path.Combine(directory, "view");
        string marker = Path.Combine(directory, IncompleteMarker);
        if (!File.Exists(marker) && (Directory.Exists(logDirectory) || Directory.Exists(viewDirectory) || File.Exists(Path.Combine(directory, GenerationFile.FileName))))
            throw new InvalidOperationException($"{RegistryOptions.Section}:RestoreFrom: {directory} already holds a registry; restore into a new, empty data directory");

        var stopwatch = Stopwatch.StartNew();
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(marker, $"restoring from {backupFile}\n", ct).ConfigureAwait(false);
        DeleteIfExists(logDirectory); // a restore that did not finish
        DeleteIfExists(viewDirectory);
        try
        {
            (ulong sequence, RegistryGeneration source) = await CopyAsync(backupFile, options, logDirectory, viewDirectory, publish, ct).ConfigureAwait(false);
            File.Delete(marker);
            RegistryLog.Restored(logger, backupFile, sequence, source.ToString(), stopwatch.ElapsedMilliseconds);
            return sequence;
        }
        catch
        {
            DeleteIfExists(logDirectory);
            DeleteIfExists(viewDirectory);
            throw;
        }
    }

    private static async Task<(ulong Sequence, RegistryGeneration Source)> CopyAsync(string backupFile, RegistryOptions options,
        string logDirectory, string viewDirectory, Func<IReadOnlyList<JetStream.LoggedChange>, CancellationToken, Task>? publish, CancellationToken ct)
    {
        await using var input = new FileStream(backupFile, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        var headerBytes = new byte[Math.Min(BackupFormat.MaxHeaderSize, input.Length)];
        await ReadAsync(input, headerBytes, ct).ConfigureAwait(false);
        if (!BackupFormat.TryReadHeader(headerBytes, out BackupFormat.Header header))
            throw new InvalidDataException($"{backupFile} is not a registry backup (no IMEIBKUP header of version 1 to {BackupFormat.Version})");
        (ulong sequence, RegistryGeneration source) = (header.Sequence, header.Generation);
        if (input.Length != header.Length)
            throw new InvalidDataException($"{backupFile} is cut or damaged: {input.Length} bytes, where a backup of {sequence} changes has {header.Length}");
        input.Position = header.Size;

        ChangeLog log = ChangeLog.Open(logDirectory);
        RegistryView? view = null;
        try
        {
            view = RegistryView.Open(options, viewDirectory);
            var bytes = new byte[Batch * BackupFormat.ChangeSize];
            // Version 3 (a log truncated by retention): the records set before its first change go to the view only;
            // the new log begins, as the old one did, at that change.
            ulong pairedImei = 0;
            for (ulong done = 0; done < header.BaseRecords;)
            {
                int count = (int)Math.Min((ulong)Batch, header.BaseRecords - done);
                await ReadAsync(input, bytes.AsMemory(0, count * BackupFormat.ChangeSize), ct).ConfigureAwait(false);
                ApplyBase(view, bytes.AsSpan(0, count * BackupFormat.ChangeSize), header.FirstChange, backupFile, ref pairedImei);
                done += (ulong)count;
            }
            ulong next = header.FirstChange, uncommitted = 0;
            while (next <= sequence)
            {
                int count = (int)Math.Min((ulong)Batch, sequence - next + 1);
                await ReadAsync(input, bytes.AsMemory(0, count * BackupFormat.ChangeSize), ct).ConfigureAwait(false);
                var published = publish is null ? null : new List<JetStream.LoggedChange>(count);
                Append(log, view, bytes.AsSpan(0, count * BackupFormat.ChangeSize), ref next, backupFile, published);
                if (published is not null) await publish!(published, ct).ConfigureAwait(false);
                if ((uncommitted += (ulong)count) >= CommitEvery)
                {
                    await log.CommitAsync().ConfigureAwait(false);
                    uncommitted = 0;
                }
            }
            // Who made the changes (version 2); a version-1 backup restores without, and history shows origins.
            var attribution = new byte[header.AttributionBytes];
            await ReadAsync(input, attribution, ct).ConfigureAwait(false);
            AttributionLog.Restore(Path.GetDirectoryName(logDirectory)!, attribution, sequence, backupFile);
            // The sections (version 3) are the state beside the log; their owners restore them (BackupFormat.ReadSections).
            input.Position += header.SectionBytes;
            var trailer = new byte[BackupFormat.TrailerSize];
            if (!BackupFormat.IsTrailerOf(await ReadAsync(input, trailer, ct).ConfigureAwait(false), sequence))
                throw new InvalidDataException($"{backupFile} is damaged: its trailer does not count {sequence} changes");
            await log.CommitAsync().ConfigureAwait(false);
            await view.CheckpointAsync(sequence, ct).ConfigureAwait(false);
            return (sequence, source);
        }
        finally
        {
            view?.Dispose();
            log.Dispose();
        }
    }

    /// <summary>
    /// Applies base records (each a change numbered before the log's first) to the view alone: a pair entry adds its
    /// IMSI to the pair table, and the record after it (the same IMEI) keeps the paired flag. <paramref name="pairedImei"/>
    /// is the IMEI the last pair entry named (0 after a record), kept across calls: a batch may end between the two.
    /// </summary>
    private static void ApplyBase(RegistryView view, ReadOnlySpan<byte> records, ulong firstChange, string backupFile, ref ulong pairedImei)
    {
        using ImeiStoreSession session = view.NewSession();
        for (int offset = 0; offset < records.Length; offset += BackupFormat.ChangeSize)
        {
            if (!ChangeCodec.TryRead(records.Slice(offset, BackupFormat.ChangeSize), out Change change) || change.Sequence == 0 || change.Sequence >= firstChange)
                throw new InvalidDataException($"{backupFile} is damaged in its base records (record {offset / BackupFormat.ChangeSize + 1})");
            if (change.IsPairing)
            {
                if (change.Op != ChangeOp.Pair || session.AddPair(change.Imei, change.Imsi) == 0)
                    throw new InvalidDataException($"{backupFile} is damaged in its base records (record {offset / BackupFormat.ChangeSize + 1})");
                pairedImei = change.ImeiKey;
                continue;
            }
            session.Upsert(change.Imei, change.ToRecord(paired: pairedImei == change.ImeiKey));
            pairedImei = 0;
        }
    }

    /// <summary>Appends and applies one batch of encoded changes, each with the back-link to its IMEI's previous change.</summary>
    private static void Append(ChangeLog log, RegistryView view, ReadOnlySpan<byte> changes, ref ulong next, string backupFile,
        List<JetStream.LoggedChange>? published)
    {
        using ImeiStoreSession session = view.NewSession();
        for (int offset = 0; offset < changes.Length; offset += BackupFormat.ChangeSize)
        {
            if (!ChangeCodec.TryRead(changes.Slice(offset, BackupFormat.ChangeSize), out Change change) || change.Sequence != next)
                throw new InvalidDataException($"{backupFile} is damaged at change {next}");
            // As the write path links them (PlannedWrite): the view's record, tombstones included, is the previous change.
            ulong previous = session.TryGet(change.Imei, out ImeiRecord current) ? current.Sequence : 0;
            log.Append(change, previous);
            published?.Add(new JetStream.LoggedChange(change, previous));
            ChangeApplier.Apply(session, change);
            next++;
        }
    }

    private static async Task<byte[]> ReadAsync(Stream input, byte[] buffer, CancellationToken ct)
    {
        await input.ReadExactlyAsync(buffer, ct).ConfigureAwait(false);
        return buffer;
    }

    private static async Task ReadAsync(Stream input, Memory<byte> buffer, CancellationToken ct) =>
        await input.ReadExactlyAsync(buffer, ct).ConfigureAwait(false);

    private static void DeleteIfExists(string directory)
    {
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
    }
}
