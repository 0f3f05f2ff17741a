namespace ImeiEir.Store;

/// <summary>
/// Settings of the IMEI store and of its checkpoints, bound from the configuration section <c>"Store"</c> (all but
/// <see cref="Directory"/>, which the host sets).
/// </summary>
public sealed class StoreOptions
{
    /// <summary>Smallest in-memory log the store derives: 2^20 bytes (1 MiB).</summary>
    internal const int MinMemorySizeBits = 20;

    /// <summary>Largest in-memory log accepted: 2^40 bytes (1 TiB).</summary>
    internal const int MaxMemorySizeBits = 40;

    /// <summary>Most records a store can be sized for: 2^36.</summary>
    internal const long MaxExpectedRecords = 1L << 36;

    /// <summary>
    /// Directory that holds the hybrid log file and the checkpoints. The server sets <c>DataDir/store</c>; it is not a
    /// configuration key (<c>Store:Directory</c> is refused as unknown).
    /// Default: null, a store that lives only as long as the process: its log spills (if ever) to a temporary
    /// file that is deleted on dispose, and <see cref="ImeiStore.CheckpointAsync(CancellationToken)"/> and <see cref="ImeiStore.TryRecover()"/>
    /// are not available.
    /// </summary>
    public string? Directory { get; set; }

    /// <summary>
    /// How many IMEI records the store is sized for (records, default 1,000,000). It sizes the hash index
    /// (a power of two of 64-byte buckets, one bucket per 4 expected records: each bucket holds 7 entries, so
    /// chains stay short) and, when <see cref="MemorySizeBits"/> is 0, the in-memory log. More records still
    /// work; they cost longer hash chains and, past the log size, disk reads.
    /// </summary>
    public long ExpectedRecords { get; set; } = 1_000_000;

    /// <summary>
    /// Size of the in-memory part of the log as a power of two: 2^bits bytes (default 0). 0 derives it from
    /// <see cref="ExpectedRecords"/>: records × 32 bytes (8 header + 8 key + 16 value) × 2 for superseded
    /// versions and tombstones, rounded up to a power of two, at least 2^20. Pages are allocated as the log
    /// grows, so a generous size costs nothing until used. Otherwise 20 to 40.
    /// </summary>
    public int MemorySizeBits { get; set; }

    /// <summary>
    /// Ask Linux to back the hash index with 2 MiB transparent huge pages (default true). A lookup or write in a
    /// large index is a random access to a new 4 KiB page nearly every time, so it costs a TLB miss as well as a
    /// cache miss; with 2 MiB pages the whole index of a 50M-record store needs 512 TLB entries. Only whole 2 MiB
    /// pages inside the index are advised, so an index smaller than 4 MiB is left alone, and the advice is a hint:
    /// where transparent huge pages are disabled (<c>/sys/kernel/mm/transparent_hugepage/enabled</c> = never) it
    /// does nothing. False leaves the kernel's default.
    /// </summary>
    public bool HugePageIndex { get; set; } = true;

    /// <summary>
    /// Time between a node's periodic local checkpoints; zero disables them (a checkpoint is still taken at shutdown).
    /// Default 5 min.
    /// </summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long shutdown may take to write the final checkpoints (the node's store and the registry's view) before the
    /// process gives up on them and exits. Giving up loses nothing: the next start recovers the previous checkpoint and
    /// catches up from the registry's feed (or its own log). Between 1 s and 1 h; default 5 min.
    /// </summary>
    public TimeSpan ShutdownCheckpointTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Checks every option; returns one <c>"Store:Key: problem"</c> line per problem, none when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (Directory is not null && string.IsNullOrWhiteSpace(Directory))
            problems.Add("Store:Directory: must be a path or absent (null for a purely in-memory store), not blank");
        if (ExpectedRecords is < 1 or > MaxExpectedRecords)
            problems.Add($"Store:ExpectedRecords: {ExpectedRecords} must be between 1 and {MaxExpectedRecords}");
        if (MemorySizeBits != 0 && MemorySizeBits is < MinMemorySizeBits or > MaxMemorySizeBits)
            problems.Add($"Store:MemorySizeBits: {MemorySizeBits} must be 0 (derived) or between {MinMemorySizeBits} and {MaxMemorySizeBits}");
        if (CheckpointInterval < TimeSpan.Zero)
            problems.Add($"Store:CheckpointInterval: {CheckpointInterval} must not be negative");
        if (ShutdownCheckpointTimeout < TimeSpan.FromSeconds(1) || ShutdownCheckpointTimeout > TimeSpan.FromHours(1))
            problems.Add($"Store:ShutdownCheckpointTimeout: {ShutdownCheckpointTimeout} must be between 00:00:01 and 01:00:00");
        return problems;
    }
}
