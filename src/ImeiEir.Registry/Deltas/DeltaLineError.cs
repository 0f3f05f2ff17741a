namespace ImeiEir.Registry;

/// <summary>A bad delta line: where (1-based line number) and why, in plain English.</summary>
public sealed record DeltaLineError(int Line, string Reason)
{
    public override string ToString() => $"line {Line}: {Reason}";
}
