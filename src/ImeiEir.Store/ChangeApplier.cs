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
    /// <remarks>
    /// A pair or unpair edits the pair table (<see cref="PairTable"/>) first and then the record (its number, and
    /// whether any IMSI remains), so a crash between the two leaves the record's older number and a replay redoes
    /// both: adding a present IMSI or removing an absent one changes nothing. A set or remove keeps the pairing.
    /// </remarks>
    public static ApplyOutcome Apply(ImeiStoreSession session, in Change change)
    {
        Imei imei = change.Imei;
        bool found = session.TryGet(imei, out ImeiRecord current);
        if (found && current.Sequence >= change.Sequence)
            return ApplyOutcome.AlreadyApplied;
        if (change.IsPairing)
        {
            int remaining = change.Op == ChangeOp.Pair ? session.AddPair(imei, change.Imsi) : session.RemovePair(imei, change.Imsi);
            session.Upsert(imei, change.ToPairedRecord(current, remaining > 0));
        }
        else
        {
            session.Upsert(imei, change.ToRecord(found && current.IsPaired));
        }
        return ApplyOutcome.Applied;
    }
}
