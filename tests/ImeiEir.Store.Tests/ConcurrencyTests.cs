using ImeiEir.Core;

namespace ImeiEir.Store.Tests;

public class ConcurrencyTests
{
    [Test]
    public void A_writer_and_a_reader_on_two_threads_see_whole_records_and_the_final_state_is_right()
    {
        const int keys = 20_000;
        const int rounds = 10;
        using var store = new ImeiStore(new StoreOptions { ExpectedRecords = keys });
        using var start = new Barrier(2);
        int writing = 1;
        long reads = 0, found = 0;

        var writer = new Thread(() =>
        {
            using var session = store.NewSession();
            start.SignalAndWait();
            for (int round = 1; round <= rounds; round++)
            {
                for (int i = 0; i < keys; i++)
                    session.Upsert(TestData.ImeiAt(i), Consistent(i, round));
                for (int i = 0; i < keys; i += 3)
                    session.Delete(TestData.ImeiAt(i));
            }
            Volatile.Write(ref writing, 0);
        });
        Exception? readerFailure = null;
        var reader = new Thread(() =>
        {
            try
            {
                using var session = store.NewSession();
                start.SignalAndWait();
                while (Volatile.Read(ref writing) == 1)
                {
                    for (int i = 0; i < keys; i++)
                    {
                        reads++;
                        if (!session.TryGet(TestData.ImeiAt(i), out ImeiRecord record)) continue;
                        found++;
                        // Every field encodes the same round: a torn 16-byte record would not agree with itself.
                        if (!IsConsistent(i, record)) throw new AssertionException($"torn or foreign record for {i}: {record}");
                    }
                }
            }
            catch (Exception e)
            {
                readerFailure = e;
            }
        });

        writer.Start();
        reader.Start();
        Assert.That(writer.Join(TimeSpan.FromMinutes(2)) && reader.Join(TimeSpan.FromMinutes(2)), "threads finished");
        Assert.That(readerFailure, Is.Null, readerFailure?.ToString());
        TestContext.Out.WriteLine($"reads {reads}, found {found}");

        using var check = store.NewSession();
        for (int i = 0; i < keys; i++)
        {
            bool exists = check.TryGet(TestData.ImeiAt(i), out ImeiRecord record);
            Assert.That(exists, Is.EqualTo(i % 3 != 0), $"key {i}");
            if (exists) Assert.That(record, Is.EqualTo(Consistent(i, rounds)));
        }
        Assert.That(store.CountRecords(), Is.EqualTo(keys - (keys + 2) / 3));
    }

    private static ImeiRecord Consistent(int i, int round) =>
        new(ListKind.Grey, Reason.Unverified, (uint)(round * 1_000_000 + i), (ulong)round << 32 | (uint)i);

    private static bool IsConsistent(int i, ImeiRecord record)
    {
        uint round = (uint)(record.Sequence >> 32);
        return (uint)record.Sequence == (uint)i
            && record.DeadlineUnixSeconds == round * 1_000_000 + (uint)i
            && record.List == ListKind.Grey && record.Reason == Reason.Unverified;
    }
}
