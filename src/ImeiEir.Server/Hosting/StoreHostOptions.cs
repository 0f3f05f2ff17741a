namespace ImeiEir.Server.Hosting;

/// <summary>The node's local store (configuration section <c>Store</c>).</summary>
public sealed class StoreHostOptions
{
    public const string Section = "Store";

    /// <summary>
    /// A CSV list (<c>imei,list,reason[,deadline]</c>, a valid registry delta) pushed into the registry at every start
    /// (all-in-one and registry modes): lines already so append nothing. Unset: none; a brand-new registry then
    /// starts with the small embedded demo list. Not allowed in eir mode, whose lists come from the registry.
    /// </summary>
    public string? InitialLists { get; set; }

    /// <summary>Records the store is sized for (hash index and in-memory log). Default 1,000,000.</summary>
    public long ExpectedRecords { get; set; } = 1_000_000;

    /// <summary>In-memory log size as a power of two, in bytes; 0 = derived from ExpectedRecords. Default 0.</summary>
    public int MemorySizeBits { get; set; }

    /// <summary>Back the store's hash index with 2 MiB transparent huge pages (a hint to Linux). Default true.</summary>
    public bool HugePageIndex { get; set; } = true;

    /// <summary>Time between local checkpoints; 00:00:00 disables the periodic ones (a checkpoint is still taken at shutdown). Default 5 min.</summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long shutdown may take to write the final checkpoints (the node's store and the registry's view) before the
    /// process gives up on them and exits. A store of 50M records takes ~20 s on 2 cores. Giving up loses nothing: the
    /// next start recovers the previous checkpoint and catches up from the registry's feed (or its own log). Default 5 min.
    /// </summary>
    public TimeSpan ShutdownCheckpointTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Seed a brand-new registry with the embedded demo list when no InitialLists is set. Default true.</summary>
    public bool LoadDemoLists { get; set; } = true;

    internal IEnumerable<string> Validate()
    {
        if (InitialLists is not null && !File.Exists(InitialLists))
            yield return $"{Section}:InitialLists: file '{InitialLists}' does not exist";
        if (ExpectedRecords is < 1 or > 2_000_000_000)
            yield return $"{Section}:ExpectedRecords: {ExpectedRecords} must be between 1 and 2000000000";
        if (MemorySizeBits != 0 && MemorySizeBits is < 16 or > 40)
            yield return $"{Section}:MemorySizeBits: {MemorySizeBits} must be 0 (derived) or between 16 and 40";
        if (CheckpointInterval < TimeSpan.Zero)
            yield return $"{Section}:CheckpointInterval: {CheckpointInterval} must not be negative";
        if (ShutdownCheckpointTimeout < TimeSpan.FromSeconds(1) || ShutdownCheckpointTimeout > TimeSpan.FromHours(1))
            yield return $"{Section}:ShutdownCheckpointTimeout: {ShutdownCheckpointTimeout} must be between 00:00:01 and 01:00:00";
    }
}
