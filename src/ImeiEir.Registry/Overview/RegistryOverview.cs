using ImeiEir.Core;

namespace ImeiEir.Registry;

/// <summary>
/// What <c>GET /v1/overview</c> shows beyond the registry's head: changes per day (<see cref="ChangesPerDay"/>), the
/// view's counts (<see cref="ViewCensus"/>) and the sightings received since this process started. Made when the
/// registry opens (<see cref="CentralRegistry"/>), so "since" is the process's start; every part is off the lookup
/// and write paths but for one dictionary add per committed change.
/// </summary>
public sealed class RegistryOverview : IDisposable
{
    private readonly SightingIntake? _intake;
    private long _received;
    private long _firstSightings;

    internal RegistryOverview(RegistryService registry, SightingIntake? intake)
    {
        Changes = new ChangesPerDay(registry);
        Census = new ViewCensus(registry);
        SinceUnixMs = registry.Time.GetUtcNow().ToUnixTimeMilliseconds();
        _intake = intake;
        if (intake is not null) intake.Recorded += OnSightings;
    }

    internal ChangesPerDay Changes { get; }

    internal ViewCensus Census { get; }

    /// <summary>When the sighting counts began (Unix milliseconds).</summary>
    internal long SinceUnixMs { get; }

    /// <summary>Sightings received from nodes since <see cref="SinceUnixMs"/>.</summary>
    internal long Received => Interlocked.Read(ref _received);

    /// <summary>Of those, the first sightings of unknown IMEIs (each made a grey record).</summary>
    internal long FirstSightings => Interlocked.Read(ref _firstSightings);

    /// <summary>Stops following the registry's commits and sightings.</summary>
    public void Dispose()
    {
        Changes.Dispose();
        if (_intake is not null) _intake.Recorded -= OnSightings;
    }

    private void OnSightings(SightingReport report)
    {
        Interlocked.Add(ref _received, report.Received);
        Interlocked.Add(ref _firstSightings, report.Created);
    }
}
