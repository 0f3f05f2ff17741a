namespace ImeiEir.Store;

/// <summary>One problem in a list file: where (source and 1-based line number) and why, in plain English.</summary>
public sealed record CsvLineError(string Source, int Line, string Reason)
{
    /// <summary><c>source:line: reason</c>, the form compilers use, so editors can jump to it.</summary>
    public override string ToString() => $"{Source}:{Line}: {Reason}";
}
