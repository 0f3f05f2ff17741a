using System.Diagnostics;
using FsCheck;
using FsCheck.Fluent;

namespace ImeiEir.Core.Tests;

public class SightingQueueTests
{
    /// <summary>A sighting whose every field is derived from <paramref name="id"/>, so a torn or foreign item shows.</summary>
    internal static Sighting Item(long id) => new(
        ImeiKey: (ulong)id % Imei.KeyLimit,
        Imsi: new PackedImsi((ulong)id % 1_000_000_000_000_000UL, 15),
        SeenUnixSeconds: (uint)(id * 7),
        Kind: (SightingKind)(1 + id % 3));

    [TestCase(1, 2)]
    [TestCase(2, 2)]
    [TestCase(3, 4)]
    [TestCase(4, 4)]
    [TestCase(5, 8)]
    [TestCase(1000, 1024)]
    [TestCase(1024, 1024)]
    [TestCase(1025, 2048)]
    [TestCase((1 << 16) + 1, 1 << 17)]
    public void Capacity_is_rounded_up_to_a_power_of_two_of_at_least_2(int requested, int expected)
    {
        var queue = new SightingQueue(requested);
        Assert.That(queue.Capacity, Is.EqualTo(expected));

        // The rounded capacity is what really fits: exactly that many, then a refusal.
        for (int i = 0; i < expected; i++) Assert.That(queue.TryEnqueue(Item(i)), Is.True, $"item {i} of {expected}");
        Assert.That(queue.TryEnqueue(Item(expected)), Is.False);
        Assert.That((queue.Count, queue.Overflows), Is.EqualTo((expected, 1L)));
    }

    [TestCase(0)]
    [TestCase(-1)]
    [TestCase(int.MinValue)]
    [TestCase((1 << 30) + 1)]
    [TestCase(int.MaxValue)]
    public void A_capacity_out_of_range_is_refused(int capacity) =>
        Assert.That(() => new SightingQueue(capacity), Throws.InstanceOf<ArgumentOutOfRangeException>());

    [Test]
    public void An_empty_queue_dequeues_nothing()
    {
        var queue = new SightingQueue(4);
        Assert.That(queue.TryDequeue(out Sighting sighting), Is.False);
        Assert.That(sighting, Is.EqualTo(default(Sighting)));
        Assert.That((queue.Count, queue.Overflows), Is.EqualTo((0, 0L)));
    }

    [Test]
    public void Items_come_out_in_the_order_they_went_in()
    {
        var queue = new SightingQueue(16);
        Sighting[] items = Enumerable.Range(1, 16).Select(i => Item(i * 1_000_003L)).ToArray();
        foreach (Sighting item in items) Assert.That(queue.TryEnqueue(item), Is.True);
        Assert.That(queue.Count, Is.EqualTo(16));

        var taken = new List<Sighting>();
        while (queue.TryDequeue(out Sighting s)) taken.Add(s);
        Assert.That(taken, Is.EqualTo(items));
        Assert.That(queue.Count, Is.Zero);
    }

    [Test]
    public void A_full_queue_refuses_at_once_and_counts_exactly_the_refused_sightings()
    {
        var queue = new SightingQueue(8);
        int accepted = 0;
        for (int i = 0; i < 20; i++)
            if (queue.TryEnqueue(Item(i))) accepted++;
        Assert.That((accepted, queue.Overflows, queue.Count), Is.EqualTo((8, 12L, 8)));

        // Three slots free up: the next five attempts are three accepted and two refused.
        for (int i = 0; i < 3; i++)
        {
            Assert.That(queue.TryDequeue(out Sighting s), Is.True);
            Assert.That(s, Is.EqualTo(Item(i)));
        }
        bool[] results = Enumerable.Range(100, 5).Select(i => queue.TryEnqueue(Item(i))).ToArray();
        Assert.That(results, Is.EqualTo(new[] { true, true, true, false, false }));
        Assert.That((queue.Overflows, queue.Count), Is.EqualTo((14L, 8)));

        // What is left: items 3..7 (the first fill), then 100..102; the refused ones are nowhere.
        var rest = new List<Sighting>();
        while (queue.TryDequeue(out Sighting s)) rest.Add(s);
        Assert.That(rest, Is.EqualTo(new long[] { 3, 4, 5, 6, 7, 100, 101, 102 }.Select(Item)));
        Assert.That(queue.Overflows, Is.EqualTo(14L), "dequeueing does not touch the overflow count");
    }

    [TestCase(2)]
    [TestCase(4)]
    [TestCase(8)]
    public void Many_laps_around_the_ring_keep_order_and_content(int capacity)
    {
        // Positions run far past the ring size, in uneven strides, so every slot is reused thousands of times
        // at every phase of the ring.
        var queue = new SightingQueue(capacity);
        long nextIn = 0, nextOut = 0;
        for (int round = 0; round < 20_000; round++)
        {
            int put = Math.Min(1 + round % capacity, capacity - queue.Count);
            for (int i = 0; i < put; i++) Assert.That(queue.TryEnqueue(Item(nextIn++)), Is.True);
            int take = 1 + (round * 7) % put;
            for (int i = 0; i < take; i++)
            {
                Assert.That(queue.TryDequeue(out Sighting s), Is.True);
                Assert.That(s, Is.EqualTo(Item(nextOut++)), $"round {round}");
            }
            while (queue.Count > capacity / 2)
            {
                Assert.That(queue.TryDequeue(out Sighting s), Is.True);
                Assert.That(s, Is.EqualTo(Item(nextOut++)));
            }
        }
        while (queue.TryDequeue(out Sighting s)) Assert.That(s, Is.EqualTo(Item(nextOut++)));
        Assert.That(nextOut, Is.EqualTo(nextIn));
        Assert.That(nextIn, Is.GreaterThanOrEqualTo(20_000L), "every round puts at least one: thousands of laps of the ring");
        Assert.That(queue.Overflows, Is.Zero);
    }

    private static Arbitrary<(int Capacity, bool[] Ops)> OpSequences =>
        Arb.From(
            from capacity in Gen.Choose(1, 9)
            from ops in Gen.ArrayOf(Gen.Frequency((3, Gen.Constant(true)), (2, Gen.Constant(false))))
            select (capacity, ops));

    [FsCheck.NUnit.Property(MaxTest = 500)]
    public Property Agrees_with_a_bounded_reference_queue() =>
        Prop.ForAll(OpSequences, input =>
        {
            var queue = new SightingQueue(input.Capacity);
            int capacity = queue.Capacity;
            var reference = new Queue<Sighting>();
            long overflows = 0, id = 0;
            foreach (bool enqueue in input.Ops)
            {
                if (enqueue)
                {
                    Sighting item = Item(id++);
                    bool fits = reference.Count < capacity;
                    if (fits) reference.Enqueue(item);
                    else overflows++;
                    if (queue.TryEnqueue(item) != fits) return false;
                }
                else
                {
                    bool any = reference.TryDequeue(out Sighting expected);
                    if (queue.TryDequeue(out Sighting actual) != any || actual != expected) return false;
                }
                if (queue.Count != reference.Count || queue.Overflows != overflows) return false;
            }
            return true;
        });

    [TestCase(1024, 50_000)]
    [TestCase(4, 5_000)]
    public void Four_producers_and_a_consumer_lose_and_duplicate_nothing(int capacity, int perProducer)
    {
        const int producers = 4;
        var queue = new SightingQueue(capacity);
        var refused = new long[producers];
        var limit = Stopwatch.StartNew();
        // A bound on the loops, not a speed claim: five spinning threads on a 2-core machine shared with other builds
        // took over 20 s for 4 x 20,000 items through 4 slots; 5,000 each still laps the ring 5,000 times.
        TimeSpan budget = TimeSpan.FromSeconds(60);
        using var start = new ManualResetEventSlim();

        var threads = new Thread[producers];
        for (int p = 0; p < producers; p++)
        {
            int producer = p;
            threads[p] = new Thread(() =>
            {
                start.Wait();
                for (int i = 0; i < perProducer; i++)
                {
                    Sighting item = Item(producer * 10_000_000L + i);
                    // A refusal is counted by the queue; the test retries so that every item goes in once.
                    while (!queue.TryEnqueue(item))
                    {
                        refused[producer]++;
                        if (limit.Elapsed > budget) return;
                        Thread.Yield();
                    }
                }
            }) { IsBackground = true, Name = $"producer {p}" };
            threads[p].Start();
        }

        // The consumer: each producer's items must arrive in its own order, each exactly once.
        var nextOf = new int[producers];
        long received = 0;
        string? failure = null;
        var consumer = new Thread(() =>
        {
            while (received < (long)producers * perProducer && limit.Elapsed < budget)
            {
                if (!queue.TryDequeue(out Sighting s))
                {
                    Thread.Yield();
                    continue;
                }
                long id = s.SeenUnixSeconds / 7;
                int producer = (int)(id / 10_000_000L);
                int index = (int)(id % 10_000_000L);
                if (producer is < 0 or >= producers || s != Item(id))
                {
                    failure ??= $"a sighting no producer sent (or torn): {s}";
                    continue;
                }
                if (index != nextOf[producer])
                    failure ??= $"producer {producer}: got item {index}, expected {nextOf[producer]} (lost, duplicated or reordered)";
                nextOf[producer] = index + 1;
                received++;
            }
        }) { IsBackground = true, Name = "consumer" };
        consumer.Start();
        start.Set();

        foreach (Thread t in threads) Assert.That(t.Join(budget), Is.True, "a producer did not finish in time");
        Assert.That(consumer.Join(budget), Is.True, "the consumer did not finish in time");
        Assert.That(limit.Elapsed, Is.LessThan(budget), "the run hit its time limit");

        Assert.That(failure, Is.Null);
        Assert.That(received, Is.EqualTo((long)producers * perProducer));
        Assert.That(nextOf, Is.All.EqualTo(perProducer));
        Assert.That(queue.TryDequeue(out _), Is.False, "nothing beyond what was sent");
        Assert.That(queue.Count, Is.Zero);
        Assert.That(queue.Overflows, Is.EqualTo(refused.Sum()), "Overflows counts exactly the refused attempts");
    }
}
