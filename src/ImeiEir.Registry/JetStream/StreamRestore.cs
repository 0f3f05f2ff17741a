using ImeiEir.Core;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Registry.JetStream;

/// <summary>
/// <c>Registry:RestoreFrom</c> with <c>Registry:Log=JetStream</c>: rebuilds the change stream from a backup. The stream
/// must hold no change (a new stream name, or the old stream deleted): it is created with a new generation, as a Local
/// restore makes one, so nodes of the old registry bootstrap afresh. The backup's changes 1..S are published in
/// format-2 messages with their original numbers and back-links while the local replica is written
/// (<see cref="RegistryRestore"/>), so the stream's changes are the backup's and its sequence means what it meant:
/// change numbers, never stream sequences. A backup of a log truncated by retention (version 3, first change F &gt; 1)
/// is refused: its base records are state, not changes, and a stream's changes begin at 1 (docs/ARCHITECTURE.md,
/// "Backup and restore").
/// </summary>
internal static class StreamRestore
{
    /// <summary>Restores <paramref name="backupFile"/> into the stream and <paramref name="directory"/>; returns the last change.</summary>
    /// <exception cref="RestoreRefusedException">The stream holds changes, or the backup begins after change 1, or another process wrote.</exception>
    /// <exception cref="InvalidDataException">The file is not a whole backup.</exception>
    /// <exception cref="ChangeStreamUnavailableException">No NATS server answered.</exception>
    public static async Task<ulong> RestoreAsync(string backupFile, RegistryOptions options, string directory, ILogger logger, CancellationToken ct)
    {
        BackupFormat.Header header = ReadHeader(backupFile);
        if (header.FirstChange > 1)
            throw new RestoreRefusedException($"{RegistryOptions.Section}:RestoreFrom: {backupFile} begins at change {header.FirstChange} (retention truncated the log it was taken from); a change stream begins at change 1, so restore it with Registry:Log=Local");

        await using JetStreamChangeStream stream = await JetStreamChangeStream.OpenAsync(options.Nats, ct).ConfigureAwait(false);
        ulong last = await stream.LastSequenceAsync(ct).ConfigureAwait(false);
        if (last > 0)
            throw new RestoreRefusedException($"{RegistryOptions.Section}:RestoreFrom: stream {stream.Stream} holds changes 1..{last}; delete it (nats stream rm {stream.Stream}) or set {NatsOptions.Section}:Stream to a new stream name, then restore again into an empty data directory");
        if (stream.Generation == header.Generation)
            throw new RestoreRefusedException($"{RegistryOptions.Section}:RestoreFrom: stream {stream.Stream} is of the backup's own generation {header.Generation}; delete it (nats stream rm {stream.Stream}) or set {NatsOptions.Section}:Stream to a new stream name");

        return await RegistryRestore.RestoreAsync(backupFile, options, directory, logger, ct, async (batch, token) =>
        {
            AppendResult result = await stream.AppendAsync(batch, token).ConfigureAwait(false);
            // Another registry process of the stream wrote meanwhile (it was started during the restore).
            if (result.Outcome != AppendOutcome.Appended)
                throw new RestoreRefusedException($"{RegistryOptions.Section}:RestoreFrom: another registry process wrote to stream {stream.Stream} during the restore ({result}); stop it, delete the stream and this data directory, and restore again");
        }).ConfigureAwait(false);
    }

    private static BackupFormat.Header ReadHeader(string backupFile)
    {
        using var input = new FileStream(backupFile, FileMode.Open, FileAccess.Read, FileShare.Read);
        var bytes = new byte[Math.Min(BackupFormat.MaxHeaderSize, input.Length)];
        input.ReadExactly(bytes);
        if (!BackupFormat.TryReadHeader(bytes, out BackupFormat.Header header))
            throw new InvalidDataException($"{backupFile} is not a registry backup (no IMEIBKUP header of version 1 to {BackupFormat.Version})");
        return header;
    }
}
