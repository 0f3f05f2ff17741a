namespace ImeiEir.Notify.Subscribers;

/// <summary>
/// The outcome of <see cref="SubscriberDirectory.ImportAsync"/>. An import is atomic: with any error nothing is
/// imported (<see cref="Accepted"/> false) and every bad line is listed.
/// </summary>
public sealed record SubscriberImportReport(bool Accepted, int Added, int Replaced, int Unchanged, IReadOnlyList<SubscriberImportError> Errors)
{
    /// <summary>Subscribers in the directory after the import.</summary>
    public int Total { get; init; }

    /// <summary>Parked notices this import released (their subscribers are now known; they go out next).</summary>
    public int Released { get; init; }
}
