using ImeiEir.Sync;

namespace ImeiEir.Server.Hosting;

/// <summary>
/// How an EIR node reports sightings of unknown IMEIs to the registry (configuration section <c>Sightings</c>); the
/// registry's URL and token live under <c>Registry</c>.
/// </summary>
public sealed class SightingsHostOptions
{
    public const string Section = "Sightings";

    /// <summary>
    /// Sightings the answer path can queue before the reporter drains them (default 65536; a power of two). When
    /// full, a sighting is counted as dropped and its device reported again at its next attach.
    /// </summary>
    public int QueueCapacity { get; set; } = 65_536;

    /// <summary>
    /// Slots of the table that reports an attach of a grey or black device at most once a day per subscriber
    /// (default 262144, 8 bytes each; a power of two). Too small only costs repeated reports, never a notice.
    /// </summary>
    public int AttachFilterSlots { get; set; } = 262_144;

    /// <summary>Distinct sightings kept for retry while the registry is unreachable. Default 1000000.</summary>
    public int MaxPending { get; set; } = 1_000_000;

    /// <summary>Sightings per request to the registry. Default 10000.</summary>
    public int BatchSize { get; set; } = 10_000;

    /// <summary>How often the reporter looks for new sightings when idle. Default 00:00:00.1.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>First retry delay after a failed report; doubles with jitter. Default 00:00:00.5.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest retry delay. Default 00:00:30.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    internal SightingReporterOptions ToReporterOptions(Uri registryUrl, string readerToken, string nodeName) => new()
    {
        RegistryUrl = registryUrl,
        ReaderToken = readerToken,
        NodeName = nodeName,
        MaxPending = MaxPending,
        BatchSize = BatchSize,
        FlushInterval = FlushInterval,
        InitialBackoff = InitialBackoff,
        MaxBackoff = MaxBackoff,
    };

    internal IEnumerable<string> Validate()
    {
        if (QueueCapacity is < 2 or > 1 << 24)
            yield return $"{Section}:QueueCapacity: must be 2 to 16777216, got {QueueCapacity}";
        if (AttachFilterSlots is < 2 or > 1 << 28)
            yield return $"{Section}:AttachFilterSlots: must be 2 to 268435456, got {AttachFilterSlots}";
        foreach (string problem in ToReporterOptions(new Uri("http://127.0.0.1/"), "placeholder-token", "eir").Validate())
        {
            if (!problem.StartsWith("Sightings:RegistryUrl", StringComparison.Ordinal) && !problem.StartsWith("Sightings:ReaderToken", StringComparison.Ordinal))
                yield return problem;
        }
    }
}
