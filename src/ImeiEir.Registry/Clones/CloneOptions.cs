namespace ImeiEir.Registry;

/// <summary>
/// The registry's clone watch (configuration section <c>Clones</c>): when the (IMEI, IMSI) pairs nodes report make an
/// IMEI a suspected clone, and how much the watch keeps. Bound with <c>ErrorOnUnknownConfiguration</c>.
/// </summary>
public sealed class CloneOptions
{
    public const string Section = "Clones";

    /// <summary>
    /// Distinct home IMSIs within <see cref="Window"/> that make an IMEI a suspected clone (IMSIs). Default 3; 2 to
    /// <see cref="MaxImsisPerImei"/>.
    /// </summary>
    public int Threshold { get; set; } = 3;

    /// <summary>
    /// How far back a pair counts: an IMSI last seen with the IMEI longer ago than this is forgotten. Default 30 days;
    /// 1 min to 3650 days.
    /// </summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// IMSIs kept per IMEI (IMSIs). Default 16; <see cref="Threshold"/> to 255. An IMEI shared by thousands of
    /// devices keeps the most recently seen ones, so one fake IMEI cannot fill the table.
    /// </summary>
    public int MaxImsisPerImei { get; set; } = 16;

    /// <summary>
    /// How often pairs older than <see cref="Window"/> are dropped and the journal compacted. Default 1 h; 1 s to 1 day.
    /// </summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Checks every option; one <c>"Clones:Key: message"</c> line per problem, none when valid.</summary>
    public IEnumerable<string> Validate()
    {
        if (MaxImsisPerImei is < 2 or > 255)
            yield return $"{Section}:MaxImsisPerImei: {MaxImsisPerImei} must be between 2 and 255";
        if (Threshold < 2 || Threshold > Math.Clamp(MaxImsisPerImei, 2, 255))
            yield return $"{Section}:Threshold: {Threshold} must be between 2 and Clones:MaxImsisPerImei ({MaxImsisPerImei})";
        if (Window < TimeSpan.FromMinutes(1) || Window > TimeSpan.FromDays(3650))
            yield return $"{Section}:Window: {Window} must be between 00:01:00 and 3650.00:00:00";
        if (SweepInterval < TimeSpan.FromSeconds(1) || SweepInterval > TimeSpan.FromDays(1))
            yield return $"{Section}:SweepInterval: {SweepInterval} must be between 00:00:01 and 1.00:00:00";
    }
}
