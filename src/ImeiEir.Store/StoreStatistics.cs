namespace ImeiEir.Store;

/// <summary>A point-in-time view of the store's memory use, for metrics and tests. Cheap to read.</summary>
/// <param name="LogBytes">Bytes between the log's begin and tail: live records, superseded versions and tombstones.</param>
/// <param name="SpilledBytes">Bytes of log that are no longer in memory (0 while every lookup stays in memory).</param>
/// <param name="MemoryCapacityBytes">The in-memory log size, 2^MemorySizeBits.</param>
/// <param name="IndexBytes">Size of the hash index: buckets × 64 bytes (overflow buckets not included).</param>
/// <param name="DiskReads">Lookups that had to read the device since the store was opened.</param>
public readonly record struct StoreStatistics(long LogBytes, long SpilledBytes, long MemoryCapacityBytes, long IndexBytes, long DiskReads);
