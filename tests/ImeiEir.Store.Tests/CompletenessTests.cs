using ImeiEir.Core;

namespace ImeiEir.Store.Tests;

/// <summary>
/// <see cref="ImeiStore.IsComplete"/>: whether the store holds a whole state, recorded with every checkpoint so that
/// one taken half-way through a bootstrap never passes for the lists.
/// </summary>
public class CompletenessTests
{
    private static StoreOptions OptionsFor(TempDirectory directory) => new() { Directory = directory.Path, ExpectedRecords = 1000 };

    private static bool RecoveredComplete(TempDirectory directory, out ulong sequence)
    {
        using var store = new ImeiStore(OptionsFor(directory));
        Assert.That(store.TryRecover(out string? failure), Is.True, failure);
        sequence = store.RecoveredSequence;
        return store.IsComplete;
    }

    [Test]
    public async Task A_checkpoint_records_whether_the_store_was_complete_and_a_recovery_restores_it()
    {
        using var directory = new TempDirectory();
        using (var store = new ImeiStore(OptionsFor(directory)))
        {
            store.TryRecover();
            Assert.That(store.IsComplete, Is.False, "a new store holds nothing whole");
            using (ImeiStoreSession session = store.NewSession())
                session.Upsert(TestData.ImeiAt(1), new ImeiRecord(ListKind.Black, Reason.Stolen, 0, 7));
            await store.CheckpointAsync(7); // half-way through a bootstrap
        }
        Assert.That(RecoveredComplete(directory, out _), Is.False, "taken before the snapshot was whole");

        using (var store = new ImeiStore(OptionsFor(directory)))
        {
            store.TryRecover();
            store.MarkComplete();
            await store.CheckpointAsync(7);
        }
        Assert.That(RecoveredComplete(directory, out ulong sequence), Is.True);
        Assert.That(sequence, Is.EqualTo(7UL));

        using (var store = new ImeiStore(OptionsFor(directory)))
        {
            store.TryRecover();
            Assert.That(store.IsComplete, Is.True);
            await store.MarkIncompleteAsync(); // about to be cleared for a new bootstrap
            Assert.That(store.IsComplete, Is.False);
            await store.CheckpointAsync(0);
        }
        Assert.That(RecoveredComplete(directory, out _), Is.False, "taken while the store was being rebuilt");
    }

    [Test]
    public async Task An_empty_registry_makes_a_complete_store_at_sequence_zero()
    {
        using var directory = new TempDirectory();
        using (var store = new ImeiStore(OptionsFor(directory)))
        {
            store.TryRecover();
            store.MarkComplete(); // a whole snapshot of nothing
            await store.CheckpointAsync(0);
        }
        Assert.That(RecoveredComplete(directory, out ulong sequence), Is.True);
        Assert.That(sequence, Is.Zero);
    }

    [Test]
    public async Task A_manifest_of_an_earlier_build_counts_as_complete_exactly_when_its_sequence_is_above_zero()
    {
        // Earlier builds wrote no "complete" line, and recorded sequence 0 all through a bootstrap.
        foreach ((ulong sequence, bool complete) in new[] { (0UL, false), (42UL, true) })
        {
            using var directory = new TempDirectory();
            using (var store = new ImeiStore(OptionsFor(directory)))
            {
                store.TryRecover();
                store.MarkComplete();
                await store.CheckpointAsync(sequence);
            }
            string manifest = Path.Combine(directory.Path, "checkpoint.manifest");
            string[] lines = File.ReadAllLines(manifest);
            Assert.That(lines, Has.One.EqualTo("complete yes"));
            File.WriteAllLines(manifest, lines.Where(l => !l.StartsWith("complete ", StringComparison.Ordinal)));

            Assert.That(RecoveredComplete(directory, out _), Is.EqualTo(complete), $"sequence {sequence}");
        }
    }

    [Test]
    public async Task A_damaged_complete_line_refuses_the_checkpoint()
    {
        using var directory = new TempDirectory();
        using (var store = new ImeiStore(OptionsFor(directory)))
        {
            store.TryRecover();
            store.MarkComplete();
            await store.CheckpointAsync(3);
        }
        string manifest = Path.Combine(directory.Path, "checkpoint.manifest");
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("complete yes", "complete perhaps", StringComparison.Ordinal));

        using var recovered = new ImeiStore(OptionsFor(directory));
        Assert.That(recovered.TryRecover(out string? failure), Is.False);
        Assert.That(failure, Does.Contain("damaged"));
        Assert.That(recovered.IsComplete, Is.False);
    }
}
