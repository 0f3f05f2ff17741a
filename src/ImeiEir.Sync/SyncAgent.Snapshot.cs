using System.Buffers;
using System.IO.Pipelines;
using ImeiEir.Core;
using ImeiEir.Store;

namespace ImeiEir.Sync;

public sealed partial class SyncAgent
{
    /// <summary>
    /// Applies the registry's snapshot (<c>GET /v1/snapshot</c>) and sets <see cref="LastApplied"/> to its sequence S,
    /// so the feed continues after S. <paramref name="clear"/> first empties the store (the registry went back in time);
    /// so does a store left incomplete by an earlier attempt.
    /// Throws when the snapshot is cut or damaged; the caller retries, and records already applied are skipped or
    /// overwritten by sequence, so a retry is harmless.
    /// </summary>
    private async Task BootstrapAsync(ImeiStoreSession session, bool clear, Uri registry, CancellationToken stopping)
    {
        Volatile.Write(ref _state, (int)SyncState.Bootstrapping);
        // An earlier checkpoint finishing later must not record its generation over the mark below.
        await _checkpoint;
        _generation.BeginBootstrap();
        // Until the snapshot is whole, the store has no valid cursor: a checkpoint taken meanwhile (by the node at
        // shutdown) must record 0, so the next start bootstraps again.
        Volatile.Write(ref _lastApplied, 0);
        // A store that is not complete but holds records has them from an unfinished attempt (a cut snapshot, or a
        // checkpoint taken half-way through one): some may have been deleted at the registry since, and this snapshot
        // would not remove them. Start it from an empty store too.
        if (clear || (!_store.IsComplete && _store.LogRecords > 0))
        {
            // The node stops answering until the new snapshot is whole (docs/ARCHITECTURE.md, "Change feed"), and no
            // checkpoint from now on calls the half-rebuilt store complete.
            await _store.MarkIncompleteAsync(stopping);
            // Records carry sequences the registry will reuse; left in place they would hide its new changes.
            long removed = ClearStore(session);
            SyncLog.StoreCleared(_logger, removed);
        }

        string url = $"{RegistryLink.Base(registry)}/v1/snapshot";
        SyncLog.BootstrapStarting(_logger, url);
        long started = _time.GetTimestamp();
        using var watchdog = new CancellationTokenSource(_options.HeartbeatTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, watchdog.Token);
        CancellationToken token = linked.Token;
        var box = new ProgressBox();
        try
        {
            using HttpRequestMessage request = NewRequest(url, SnapshotFormat.ContentType);
            using HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token);
            if (!response.IsSuccessStatusCode) await ThrowRefusedAsync(response, "the snapshot", token);

            await using Stream stream = await response.Content.ReadAsStreamAsync(token);
            PipeReader reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: PipeBufferSize, leaveOpen: true));
            try
            {
                await ReadSnapshotCoreAsync(reader, session, watchdog, token, box);
            }
            finally
            {
                await reader.CompleteAsync();
            }
        }
        catch (OperationCanceledException) when (watchdog.IsCancellationRequested && !stopping.IsCancellationRequested)
        {
            throw new SnapshotException($"the snapshot stalled: no data for {_options.HeartbeatTimeout.TotalSeconds:0.###} s after {box.Progress.Records} records");
        }

        SnapshotProgress progress = box.Progress;
        // Every record of the snapshot is in the store: the node may answer from it, and checkpoints say so.
        _store.MarkComplete();
        _generation.Current = progress.Generation;
        Volatile.Write(ref _lastApplied, progress.Sequence);
        if (progress.Sequence > Volatile.Read(ref _registryHead)) Volatile.Write(ref _registryHead, progress.Sequence);
        SyncLog.BootstrapCompleted(_logger, progress.Sequence, progress.Records, _time.GetElapsedTime(started).TotalSeconds,
            progress.Generation.IsNone ? "not named (an older registry)" : progress.Generation.ToString());
        // Persist the cursor now that the whole snapshot is in the store: a restart then resumes after S.
        // (At S = 0 there is nothing to resume from: a restart bootstraps again, from an empty snapshot.)
        if (progress.Sequence > 0)
        {
            await _checkpoint;
            StartCheckpoint();
        }
    }

    /// <summary>The snapshot's progress, kept outside the async reader so the caller still has it when the reader throws.</summary>
    private sealed class ProgressBox
    {
        public SnapshotProgress Progress;
    }

    private async Task ReadSnapshotCoreAsync(PipeReader reader, ImeiStoreSession session, CancellationTokenSource watchdog, CancellationToken token, ProgressBox box)
    {
        ulong nextProgressLog = BootstrapProgressEvery;
        while (true)
        {
            ReadResult result = await reader.ReadAsync(token);
            ReadOnlySequence<byte> buffer = result.Buffer;
            SequencePosition consumed = buffer.Start;
            var applier = new SnapshotApplier(session);
            SnapshotParseStatus status;
            // One epoch entry for the whole buffer's records, not one per write (the batch is synchronous).
            session.EnterBatch();
            try
            {
                status = SnapshotParser.Parse(buffer, ref box.Progress, ref applier, out consumed);
                applier.Drain();
            }
            finally
            {
                session.ExitBatch();
                reader.AdvanceTo(consumed, buffer.End);
            }

            if (applier.Applied > 0 || status == SnapshotParseStatus.Complete) watchdog.CancelAfter(_options.HeartbeatTimeout);
            if (box.Progress.Records >= nextProgressLog)
            {
                SyncLog.BootstrapProgress(_logger, box.Progress.Sequence, box.Progress.Records);
                nextProgressLog = (box.Progress.Records / BootstrapProgressEvery + 1) * BootstrapProgressEvery;
            }
            switch (status)
            {
                case SnapshotParseStatus.Complete:
                    return;
                case SnapshotParseStatus.BadHeader:
                    throw new SnapshotException("the snapshot does not start with an IMEISNAP header of version 1 to 3");
                case SnapshotParseStatus.BadRecord:
                    throw new SnapshotException($"snapshot record {box.Progress.Records + 1} does not decode");
                case SnapshotParseStatus.CountMismatch:
                    throw new SnapshotException($"the snapshot trailer's record count differs from the {box.Progress.Records} records received");
                case SnapshotParseStatus.TrailingBytes:
                    throw new SnapshotException("bytes after the snapshot trailer");
            }
            if (result.IsCompleted)
                throw new SnapshotException($"the snapshot ended after {box.Progress.Records} records without its trailer (cut connection)");
        }
    }

    /// <summary>Empties the store for a new bootstrap: collects the keys first (the scan wants a quiet store), then deletes.</summary>
    private long ClearStore(ImeiStoreSession session)
    {
        var keys = new List<Imei>();
        foreach ((Imei imei, ImeiRecord _) in _store.Scan()) keys.Add(imei);
        foreach (Imei imei in keys) session.Delete(imei);
        // The pair table too (every entry, not only those of paired records: a crash between an entry and its record).
        var pairs = new List<(Imei Imei, int Slot)>();
        foreach ((Imei imei, int slot, PackedImsi _) in _store.ScanPairs()) pairs.Add((imei, slot));
        foreach ((Imei imei, int slot) in pairs) session.DeletePairSlot(imei, slot);
        return keys.Count;
    }

    /// <summary>
    /// Writes a snapshot record as it is, without reading first: during a bootstrap the store holds nothing newer than
    /// the snapshot (the feed starts after it; the store was empty, cleared, or holds an earlier attempt's records of
    /// this or an older snapshot, and provisional local records that any registry record supersedes), so the sequence
    /// guard of <see cref="ChangeApplier"/> would never skip one: its read would only cost a lookup per record.
    /// </summary>
    /// <remarks>
    /// Each write is done <see cref="ImeiStoreSession.PrefetchDistance"/> records after its bucket is prefetched, so
    /// the index's cache misses overlap; <see cref="Drain"/> writes the last ones before the batch ends.
    /// </remarks>
    private struct SnapshotApplier(ImeiStoreSession session) : ISnapshotRecordHandler
    {
        public int Applied;
        private PrefetchWindow<(Imei Imei, ImeiRecord Record)> _window;

        public void OnRecord(Imei imei, in ImeiRecord record)
        {
            session.Prefetch(imei);
            if (_window.Push((imei, record), out var due)) Write(due.Imei, due.Record);
        }

        /// <summary>The snapshot's pairs are whole per IMEI and the store was empty or cleared: written at their slot, unread.</summary>
        public void OnPair(Imei imei, int slot, PackedImsi imsi) => session.SetPairSlot(imei, slot, imsi);

        public void Drain()
        {
            while (_window.TryTake(out var due)) Write(due.Imei, due.Record);
        }

        private void Write(Imei imei, in ImeiRecord record)
        {
            session.Upsert(imei, record);
            Applied++;
        }
    }
}
