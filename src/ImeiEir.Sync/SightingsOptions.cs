namespace ImeiEir.Sync;

/// <summary>
/// How an EIR node reports sightings to the registry, bound from the configuration section <c>"Sightings"</c>: the
/// answer path's queue and attach filter, and the <see cref="SightingReporter"/>'s patience. Where the registry is
/// comes separately (<see cref="RegistryLink"/>), as does the node's name.
/// </summary>
public sealed class SightingsOptions
{
    public const string Section = "Sightings";

    /// <summary>
    /// Sightings the answer path can queue before the reporter drains them (default 65536; a power of two). When
    /// full, a sighting is counted as dropped and its device reported again at its next attach.
    /// </summary>
    public int QueueCapacity { get; init; } = 65_536;

    /// <summary>
    /// Slots of the table that reports each home subscriber's (IMEI, IMSI) pair at most once a day (default 4194304,
    /// 8 bytes each, 32 MiB; a power of two): since every home attach is reported (the registry's clone watch), it holds
    /// a day of a node's distinct pairs. Too small only costs repeated reports, never a notice.
    /// </summary>
    public int AttachFilterSlots { get; init; } = 4_194_304;

    /// <summary>
    /// Distinct sightings held while the registry is down or slow (default 1,000,000; ~100 MB at most). Past it a new
    /// one is dropped and counted; its device keeps its provisional record and is reported again at its next attach.
    /// </summary>
    public int MaxPending { get; init; } = 1_000_000;

    /// <summary>Sightings per request (default 10,000).</summary>
    public int BatchSize { get; init; } = 10_000;

    /// <summary>How long the reporter sleeps when there is nothing to send (default 100 ms): the report delay of a sighting.</summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>First retry delay after a failed report (default 500 ms); doubles per failure, with jitter.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest retry delay (default 30 s).</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>One <c>"Sightings:Key: problem"</c> line per problem; none when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (QueueCapacity is < 2 or > 1 << 24)
            problems.Add($"{Section}:QueueCapacity: must be 2 to 16777216, got {QueueCapacity}");
        if (AttachFilterSlots is < 2 or > 1 << 28)
            problems.Add($"{Section}:AttachFilterSlots: must be 2 to 268435456, got {AttachFilterSlots}");
        if (MaxPending < 1)
            problems.Add($"{Section}:MaxPending: must be at least 1, got {MaxPending}");
        if (BatchSize is < 1 or > 100_000)
            problems.Add($"{Section}:BatchSize: must be 1 to 100000, got {BatchSize}");
        if (FlushInterval <= TimeSpan.Zero)
            problems.Add($"{Section}:FlushInterval: must be positive, got {FlushInterval}");
        if (InitialBackoff <= TimeSpan.Zero)
            problems.Add($"{Section}:InitialBackoff: must be positive, got {InitialBackoff}");
        if (MaxBackoff < InitialBackoff)
            problems.Add($"{Section}:MaxBackoff: must be at least InitialBackoff ({InitialBackoff}), got {MaxBackoff}");
        return problems;
    }
}
