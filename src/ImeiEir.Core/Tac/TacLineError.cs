namespace ImeiEir.Core.Tac;

/// <summary>A line of a TAC file that was refused: its number (1 is the header) and why.</summary>
public readonly record struct TacLineError(long Line, string Reason)
{
    public override string ToString() => $"line {Line}: {Reason}";
}
