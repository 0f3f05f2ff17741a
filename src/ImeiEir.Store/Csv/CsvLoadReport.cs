namespace ImeiEir.Store;

/// <summary>What <see cref="CsvListLoader"/> did: records applied, or the errors that stopped it.</summary>
public sealed class CsvLoadReport
{
    internal CsvLoadReport(int applied, IReadOnlyList<CsvLineError> errors)
    {
        Applied = applied;
        Errors = errors;
    }

    /// <summary>Records upserted into the store; 0 whenever validation found an error.</summary>
    public int Applied { get; }

    /// <summary>Every problem found, in line order; empty on success.</summary>
    public IReadOnlyList<CsvLineError> Errors { get; }

    /// <summary>True when the whole file was valid and applied.</summary>
    public bool Succeeded => Errors.Count == 0;
}
