using FASTER.core;
using ImeiEir.Core;

namespace ImeiEir.Store.Tests;

/// <summary>
/// Regression: a registry view sized for fewer records than it holds spills to disk, and its snapshot (a
/// <see cref="ImeiStore.Scan"/>) lost about 0.1 % of the records: the lookup that decides whether a scanned record
/// is current reported, when it completed from disk after following a hash chain through another key's record,
/// that other record's address, so the current record was judged stale. Nodes bootstrapped from such a snapshot
/// answered those IMEIs as unknown.
/// </summary>
public class ScanSpillTests
{
    [TestCase(300_000, 10_000)]
    [TestCase(200_000, 200_000)]
    public void Scan_returns_every_record_once_even_when_most_of_the_log_is_on_disk(int records, int expected)
    {
        using var directory = new TempDirectory();
        using var store = new ImeiStore(new StoreOptions { Directory = directory.Path, ExpectedRecords = expected });
        using (ImeiStoreSession session = store.NewSession())
        {
            for (int i = 0; i < records; i++)
                session.Upsert(Imei.FromKey(35_000_000_000_000UL + (ulong)i * 7919), new ImeiRecord(ListKind.White, Reason.Verified, 0, (ulong)i + 1));
        }
        AssertScanHasEveryRecordOnce(store, Enumerable.Range(0, records).Select(i => 35_000_000_000_000UL + (ulong)i * 7919).ToArray());
    }

    [Test]
    public void Scan_keeps_a_record_whose_hash_chain_on_disk_runs_through_another_keys_record()
    {
        (ulong older, ulong newer) = TwoKeysSharingBucketAndTag();
        using var directory = new TempDirectory();
        using var store = new ImeiStore(new StoreOptions { Directory = directory.Path, ExpectedRecords = 1_000 });
        var keys = new List<ulong> { older, newer };
        using (ImeiStoreSession session = store.NewSession())
        {
            session.Upsert(Imei.FromKey(older), new ImeiRecord(ListKind.Black, Reason.Stolen, 0, 1));
            session.Upsert(Imei.FromKey(newer), new ImeiRecord(ListKind.White, Reason.Verified, 0, 2));
            // Enough later records to push both out of memory: the chain newer -> older now lives on disk.
            for (ulong i = 0; i < 150_000; i++)
            {
                ulong filler = 49_000_000_000_000UL + i * 104_729;
                keys.Add(filler);
                session.Upsert(Imei.FromKey(filler), new ImeiRecord(ListKind.White, Reason.Verified, 0, 3 + i));
            }
        }
        Assert.That(store.Statistics.SpilledBytes, Is.GreaterThan(0), "the test needs records on disk");
        AssertScanHasEveryRecordOnce(store, keys.ToArray());
    }

    private static void AssertScanHasEveryRecordOnce(ImeiStore store, ulong[] keys)
    {
        var seen = new Dictionary<ulong, ImeiRecord>();
        int duplicates = 0;
        foreach ((Imei imei, ImeiRecord record) in store.Scan())
        {
            if (!seen.TryAdd(imei.Key, record)) duplicates++;
        }
        Assert.That(duplicates, Is.Zero);
        ulong[] missing = keys.Where(k => !seen.ContainsKey(k)).Take(5).ToArray();
        Assert.That(missing, Is.Empty, $"{keys.Count(k => !seen.ContainsKey(k))} records missing from the scan, e.g. {string.Join(", ", missing)}");
        Assert.That(seen, Has.Count.EqualTo(keys.Length));
    }

    // FASTER places a key by its 64-bit hash: the low bits pick the bucket, the top 14 bits are the tag. Two keys
    // equal in both (for up to 2^20 buckets, more than this test's store has) share one hash chain.
    private static (ulong Older, ulong Newer) TwoKeysSharingBucketAndTag()
    {
        // Scattered keys (sequential ones map to distinct places); a collision is expected after ~2^17 keys, and
        // the search is bounded so a change in FASTER's hash shows up as a failure, not a runaway.
        var seen = new Dictionary<ulong, ulong>();
        var random = new Random(20261123);
        for (int i = 0; i < 4_000_000; i++)
        {
            ulong key = (ulong)random.NextInt64(10_000_000_000_000L, (long)Imei.KeyLimit);
            ulong hash = (ulong)Utility.GetHashCode((long)key);
            ulong place = (hash & ((1UL << 20) - 1)) | (hash >> 50) << 20;
            if (seen.TryGetValue(place, out ulong other) && other != key)
                return (other, key);
            seen[place] = key;
        }
        Assert.Fail("no two keys share a bucket and tag among 4,000,000: FASTER's hash has changed");
        return default;
    }
}
