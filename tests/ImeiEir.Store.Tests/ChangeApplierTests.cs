using FsCheck;
using FsCheck.Fluent;
using ImeiEir.Core;

namespace ImeiEir.Store.Tests;

public class ChangeApplierTests
{
    private static readonly ulong[] Keys = [35209900176148, 35123456000000, 35693803564380, 49015420323751];

    private static Change[] History(int[] script)
    {
        // A registry's log: each script entry picks an IMEI and an operation; numbers rise from 1.
        var changes = new Change[script.Length];
        for (int i = 0; i < script.Length; i++)
        {
            int s = Math.Abs(script[i]);
            var list = (ListKind)(1 + s / 4 % 3);
            changes[i] = new Change
            {
                Sequence = (ulong)i + 1,
                ImeiKey = Keys[s % Keys.Length],
                Op = s % 7 == 0 ? ChangeOp.Remove : ChangeOp.Set,
                List = list,
                Reason = list == ListKind.Black ? Reason.Stolen : Reason.Verified,
                DeadlineUnixSeconds = list == ListKind.Grey ? 2_000_000_000u + (uint)i : 0,
                Origin = ChangeOrigin.Admin,
            };
        }
        return changes;
    }

    private static Dictionary<ulong, ImeiRecord> StateAfter(IEnumerable<Change> changes)
    {
        using var store = new ImeiStore(new StoreOptions { ExpectedRecords = 64 });
        using ImeiStoreSession session = store.NewSession();
        foreach (Change change in changes)
            ChangeApplier.Apply(session, change);
        var state = new Dictionary<ulong, ImeiRecord>();
        foreach (ulong key in Keys)
        {
            if (session.TryGet(Imei.FromKey(key), out ImeiRecord record))
                state[key] = record;
        }
        return state;
    }

    [FsCheck.NUnit.Property(MaxTest = 40)]
    public Property Replaying_from_any_restart_point_with_duplicates_ends_in_the_state_of_applying_once(int[] script, int restartSeed, int duplicateSeed)
    {
        Change[] changes = History(script);
        // A node applies a prefix, "crashes", resumes from an earlier point (its checkpoint lags), and the feed
        // also delivers some changes twice in a row (a reconnect re-sends the last batch).
        int applied = changes.Length == 0 ? 0 : Math.Abs(restartSeed) % (changes.Length + 1);
        int resume = applied == 0 ? 0 : Math.Abs(restartSeed / 7) % (applied + 1);
        var delivered = new List<Change>(changes[..applied]);
        for (int i = resume; i < changes.Length; i++)
        {
            delivered.Add(changes[i]);
            if ((duplicateSeed >> (i % 31) & 1) == 1)
                delivered.Add(changes[i]);
        }

        // At every step, what the node answers from must be the registry's state as of the newest change it has
        // seen: a replay must never show an older record again, not even for a moment.
        using var store = new ImeiStore(new StoreOptions { ExpectedRecords = 64 });
        using ImeiStoreSession session = store.NewSession();
        ulong newest = 0;
        foreach (Change change in delivered)
        {
            ChangeApplier.Apply(session, change);
            newest = Math.Max(newest, change.Sequence);
            Dictionary<ulong, ImeiRecord> expected = StateAfter(changes[..(int)newest]);
            foreach (ulong key in Keys)
            {
                bool has = session.TryGet(Imei.FromKey(key), out ImeiRecord actual);
                if (has != expected.TryGetValue(key, out ImeiRecord want) || (has && actual != want))
                    return false.Label($"after change {change.Sequence} (newest {newest}), IMEI {key}: {actual} instead of {want}");
            }
        }
        return (newest == (ulong)changes.Length).Label($"applied {applied}, resumed at {resume}, {delivered.Count} deliveries");
    }

    [Test]
    public void An_older_change_does_not_overwrite_a_newer_record()
    {
        using var store = new ImeiStore(new StoreOptions { ExpectedRecords = 64 });
        using ImeiStoreSession session = store.NewSession();
        var black = new Change { Sequence = 9, ImeiKey = Keys[0], Op = ChangeOp.Set, List = ListKind.Black, Reason = Reason.Stolen, Origin = ChangeOrigin.Admin };
        var white = black with { Sequence = 4, List = ListKind.White, Reason = Reason.Verified };

        Assert.That(ChangeApplier.Apply(session, black), Is.EqualTo(ApplyOutcome.Applied));
        Assert.That(ChangeApplier.Apply(session, white), Is.EqualTo(ApplyOutcome.AlreadyApplied));
        Assert.That(ChangeApplier.Apply(session, black), Is.EqualTo(ApplyOutcome.AlreadyApplied));
        session.TryGet(Imei.FromKey(Keys[0]), out ImeiRecord record);
        Assert.That(record.List, Is.EqualTo(ListKind.Black));
        Assert.That(record.Sequence, Is.EqualTo(9UL));
    }

    [Test]
    public void A_registry_change_replaces_a_local_provisional_record_and_a_removal_leaves_a_tombstone()
    {
        using var store = new ImeiStore(new StoreOptions { ExpectedRecords = 64 });
        using ImeiStoreSession session = store.NewSession();
        Imei imei = Imei.FromKey(Keys[1]);
        session.Upsert(imei, new ImeiRecord(ListKind.Grey, Reason.Unverified, 2_000_000_000, sequence: 0));

        var remove = new Change { Sequence = 1, ImeiKey = Keys[1], Op = ChangeOp.Remove, Origin = ChangeOrigin.Admin };
        Assert.That(ChangeApplier.Apply(session, remove), Is.EqualTo(ApplyOutcome.Applied));
        session.TryGet(imei, out ImeiRecord tombstone);
        Assert.That(tombstone.List, Is.EqualTo(ListKind.None));
        Assert.That(tombstone.Sequence, Is.EqualTo(1UL));
    }

    [Test]
    public async Task The_applied_sequence_is_recovered_with_the_checkpoint()
    {
        using var directory = new TempDirectory();
        using (var store = new ImeiStore(new StoreOptions { Directory = directory.Path, ExpectedRecords = 64 }))
        {
            using (ImeiStoreSession session = store.NewSession())
                session.Upsert(Imei.FromKey(Keys[0]), new ImeiRecord(ListKind.White, Reason.Verified, 0, 41));
            await store.CheckpointAsync(appliedSequence: 41);
        }

        using var recovered = new ImeiStore(new StoreOptions { Directory = directory.Path, ExpectedRecords = 64 });
        Assert.That(recovered.TryRecover(), Is.True);
        Assert.That(recovered.RecoveredSequence, Is.EqualTo(41UL));
    }
}
