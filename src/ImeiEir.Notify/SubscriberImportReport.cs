namespace ImeiEir.Notify;

/// <summary>A line of an import that was refused, and why.</summary>
/// <param name="Line">1-based line number in the file.</param>
/// <param name="Reason">One sentence naming the field and the problem.</param>
public readonly record struct SubscriberImportError(int Line, string Reason);

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
