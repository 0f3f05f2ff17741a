namespace ImeiEir.Sync;

/// <summary>Settings of the node's <see cref="SightingReporter"/>: where to report, and how patiently.</summary>
public sealed class SightingReporterOptions
{
    /// <summary>Base URL of the central registry; sightings go to <c>{RegistryUrl}/v1/sightings</c>. Required.</summary>
    public required Uri RegistryUrl { get; init; }

    /// <summary>The registry's reader token (a node's credential), sent as <c>Authorization: Bearer</c>. Required.</summary>
    public required string ReaderToken { get; init; }

    /// <summary>This node's name, sent with every batch for the registry's log (its Diameter Origin-Host).</summary>
    public string NodeName { get; init; } = "eir";

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

    /// <summary>One <c>"Sightings:Key: message"</c> line per problem; none when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (RegistryUrl is null || !RegistryUrl.IsAbsoluteUri || (RegistryUrl.Scheme != Uri.UriSchemeHttp && RegistryUrl.Scheme != Uri.UriSchemeHttps))
            problems.Add($"Sightings:RegistryUrl: must be an absolute http or https URL, got '{RegistryUrl}'");
        if (string.IsNullOrWhiteSpace(ReaderToken))
            problems.Add("Sightings:ReaderToken: must not be empty");
        if (MaxPending < 1)
            problems.Add($"Sightings:MaxPending: must be at least 1, got {MaxPending}");
        if (BatchSize is < 1 or > 100_000)
            problems.Add($"Sightings:BatchSize: must be 1 to 100000, got {BatchSize}");
        if (FlushInterval <= TimeSpan.Zero)
            problems.Add($"Sightings:FlushInterval: must be positive, got {FlushInterval}");
        if (InitialBackoff <= TimeSpan.Zero)
            problems.Add($"Sightings:InitialBackoff: must be positive, got {InitialBackoff}");
        if (MaxBackoff < InitialBackoff)
            problems.Add($"Sightings:MaxBackoff: must be at least InitialBackoff ({InitialBackoff}), got {MaxBackoff}");
        return problems;
    }
}
