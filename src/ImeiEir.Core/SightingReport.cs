namespace ImeiEir.Core;

/// <summary>What the registry made of one sighting.</summary>
public enum SightingOutcome : byte
{
    /// <summary>The IMEI was unknown: this sighting set its grey deadline (first seen + grace period).</summary>
    Created,

    /// <summary>The IMEI already has a record (an earlier sighting's grey, or white, black): nothing changed.</summary>
    Existing,

    /// <summary>Seen before the regime started: an unknown device then is legacy, not grey.</summary>
    Ignored,

    /// <summary>An attach of a grey or black IMEI: recorded for notices, no list change.</summary>
    Attach,
}

/// <summary>One sighting and what became of it, with the record the IMEI has afterwards (default when none).</summary>
public readonly record struct RecordedSighting(Sighting Sighting, SightingOutcome Outcome, ImeiRecord Record);

/// <summary>The answer to one batch of sightings.</summary>
public sealed record SightingReport(string Node, IReadOnlyList<RecordedSighting> Sightings, int Created, int Existing, int Ignored)
{
    public int Received => Sightings.Count;
}
