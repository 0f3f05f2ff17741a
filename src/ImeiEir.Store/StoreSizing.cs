using System.Numerics;

namespace ImeiEir.Store;

/// <summary>How <see cref="StoreOptions"/> turn into FASTER's index and log sizes.</summary>
internal static class StoreSizing
{
    /// <summary>
    /// Bytes one record takes in the hybrid log: 8-byte RecordInfo header + 8-byte key + 16-byte
    /// <see cref="Core.ImeiRecord"/>, already 8-byte aligned.
    /// </summary>
    public const int RecordBytes = 32;

    /// <summary>A FASTER hash bucket is one 64-byte cache line: 7 entries and an overflow pointer.</summary>
    public const int BucketBytes = 64;

    /// <summary>Expected records per bucket: 4 of 7 slots on average keeps overflow buckets rare.</summary>
    private const int RecordsPerBucket = 4;

    /// <summary>Headroom over the live records for superseded versions (RCU) and tombstones.</summary>
    private const int LogHeadroom = 2;

    /// <summary>Largest FASTER page: 2^25 bytes (32 MiB), FASTER's own default.</summary>
    private const int MaxPageSizeBits = 25;

    /// <summary>Hash index buckets: a power of two, at least 64.</summary>
    public static long IndexBuckets(long expectedRecords)
    {
        long wanted = Math.Max(64, (expectedRecords + RecordsPerBucket - 1) / RecordsPerBucket);
        return (long)BitOperations.RoundUpToPowerOf2((ulong)wanted);
    }

    /// <summary>In-memory log size as a power of two.</summary>
    public static int MemorySizeBits(StoreOptions options)
    {
        if (options.MemorySizeBits != 0) return options.MemorySizeBits;
        ulong bytes = (ulong)options.ExpectedRecords * RecordBytes * LogHeadroom;
        int bits = BitOperations.Log2(BitOperations.RoundUpToPowerOf2(bytes));
        return Math.Clamp(bits, StoreOptions.MinMemorySizeBits, StoreOptions.MaxMemorySizeBits);
    }

    /// <summary>
    /// Page size: at least 16 pages in memory so the mutable / read-only split (90 / 10) moves in small steps,
    /// at most FASTER's default page.
    /// </summary>
    public static int PageSizeBits(int memorySizeBits) => Math.Min(memorySizeBits - 4, MaxPageSizeBits);
}
