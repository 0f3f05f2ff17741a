using System.Collections.Concurrent;
using ImeiEir.Core;
using ImeiEir.Store;

namespace ImeiEir.Registry;

/// <summary>
/// The registry's current-state view: an <see cref="ImeiStore"/> (IMEI → record, tombstones included) derived from
/// the change log and checkpointed. Lookups reuse pooled sessions; the writer applies each durable batch to it
/// before the batch's numbers are published.
/// </summary>
internal sealed class RegistryView : IDisposable
{
    private readonly ImeiStore _store;
    private readonly ConcurrentBag<ImeiStoreSession> _readers = [];

    private RegistryView(ImeiStore store) => _store = store;

    /// <summary>Opens (or creates) the view's store in <paramref name="directory"/>; nothing is recovered yet.</summary>
    public static RegistryView Open(RegistryOptions options, string directory) =>
        new(new ImeiStore(new StoreOptions { Directory = directory, ExpectedRecords = options.ExpectedRecords }));

    /// <summary>Recovers the latest checkpoint; false (with the failure, or null when there was none) otherwise.</summary>
    public bool TryRecover(out string? failure) => _store.TryRecover(out failure);

    /// <summary>The change number the recovered checkpoint was taken at.</summary>
    public ulong RecoveredSequence => _store.RecoveredSequence;

    /// <summary>A session of its own (the caller disposes it): the writer's plans, replay at open.</summary>
    public ImeiStoreSession NewSession() => _store.NewSession();

    /// <summary>The view's record of an IMEI, tombstones (list None, the removing change's number) included.</summary>
    public bool TryGet(Imei imei, out ImeiRecord record)
    {
        if (!_readers.TryTake(out ImeiStoreSession? session)) session = _store.NewSession();
        try
        {
            return session.TryGet(imei, out record);
        }
        finally
        {
            _readers.Add(session);
        }
    }

    /// <summary>Applies durable changes, in order.</summary>
    public void Apply(IReadOnlyList<Change> changes)
    {
        using ImeiStoreSession session = _store.NewSession();
        foreach (Change change in changes) ChangeApplier.Apply(session, change);
    }

    /// <summary>Every record, tombstones included; a snapshot-like scan that holds a session for its whole run.</summary>
    public IEnumerable<(Imei Imei, ImeiRecord Record)> Scan() => _store.Scan();

    /// <summary>The view's <see cref="StateDigest"/>, pairs included: the one a node holding the same state gives.</summary>
    public StateDigest Digest() => StateDigest.Compute(_store);

    /// <summary>The rightful IMSIs of a paired IMEI (<see cref="PairTable"/>), for the snapshot and history.</summary>
    public int GetPairs(Imei imei, Span<PackedImsi> destination)
    {
        if (!_readers.TryTake(out ImeiStoreSession? session)) session = _store.NewSession();
        try
        {
            return session.GetPairs(imei, destination);
        }
        finally
        {
            _readers.Add(session);
        }
    }

    /// <summary>Checkpoints the view as holding every change up to <paramref name="sequence"/>.</summary>
    public async Task CheckpointAsync(ulong sequence, CancellationToken ct = default) =>
        await _store.CheckpointAsync(sequence, ct).ConfigureAwait(false);

    public void Dispose()
    {
        while (_readers.TryTake(out ImeiStoreSession? session)) session.Dispose();
        _store.Dispose();
    }
}
