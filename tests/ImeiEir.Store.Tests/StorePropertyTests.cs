using FsCheck;
using FsCheck.Fluent;
using ImeiEir.Core;

namespace ImeiEir.Store.Tests;

public class StorePropertyTests
{
    /// <summary>One step: upsert (key, record) or delete key. Keys come from a small set so steps collide.</summary>
    public readonly record struct Step(bool Delete, byte Key, byte List, byte Reason, uint Deadline, ulong Sequence);

    [FsCheck.NUnit.Property(MaxTest = 200)]
    public Property Any_sequence_of_upserts_and_deletes_matches_a_dictionary(Step[] steps)
    {
        var model = new Dictionary<ulong, ImeiRecord>();
        using var store = new ImeiStore(new StoreOptions { ExpectedRecords = 64 });
        using var session = store.NewSession();
        foreach (Step step in steps)
        {
            Imei imei = Imei.FromKey(35_000_000_000_000UL + (ulong)(step.Key % 32) * 1_000_003UL);
            if (step.Delete)
            {
                bool existed = session.Delete(imei);
                if (existed != model.Remove(imei.Key)) return false.Label($"Delete({imei}) returned {existed}");
            }
            else
            {
                var record = new ImeiRecord((ListKind)(step.List % 4), (Reason)(step.Reason % 13), step.Deadline, step.Sequence);
                session.Upsert(imei, record);
                model[imei.Key] = record;
            }
        }

        for (int k = 0; k < 32; k++)
        {
            Imei imei = Imei.FromKey(35_000_000_000_000UL + (ulong)k * 1_000_003UL);
            bool inStore = session.TryGet(imei, out ImeiRecord actual);
            bool inModel = model.TryGetValue(imei.Key, out ImeiRecord expected);
            if (inStore != inModel || actual != (inModel ? expected : default))
                return false.Label($"key {k}: store {inStore} {actual}, model {inModel} {expected}");
        }
        var scanned = store.Scan().ToDictionary(r => r.Imei.Key, r => r.Record);
        return (scanned.Count == model.Count && scanned.All(kv => model.TryGetValue(kv.Key, out var v) && v == kv.Value))
            .Label($"scan {scanned.Count} records, model {model.Count}");
    }
}
