using ImeiEir.Core;

namespace ImeiEir.Store;

/// <summary>How applying one change went.</summary>
public enum ApplyOutcome : byte
{
    Applied,

    /// <summary>The record already carries this change's number or a later one: a replay, nothing to do.</summary>
    AlreadyApplied,
}

/// <summary>
/// Applies registry changes to a store, idempotently: a record keeps the sequence number that set it, and a
/// change no newer than that is skipped. Applying any in-order sequence of changes, with duplicates and from
/// any restart point, therefore ends in the same state as applying each once (docs/ARCHITECTURE.md, "Change feed").
/// A local provisional record (sequence 0) yields to every registry change.
/// </summary>
public static class ChangeApplier
{
    public static ApplyOutcome Apply(ImeiStoreSession session, in Change change)
    {
        Imei imei = change.Imei;
        if (session.TryGet(imei, out ImeiRecord current) && current.Sequence >= change.Sequence)
            return ApplyOutcome.AlreadyApplied;
        session.Upsert(imei, change.ToRecord());
        return ApplyOutcome.Applied;
    }
}
