namespace ImeiEir.Core.Tac;

/// <summary>
/// Where a node keeps its current <see cref="TacTable"/>: one volatile reference, swapped whole when a new version
/// arrives, so a check reads either the old table or the new one and never waits. Null until a database is loaded.
/// </summary>
public sealed class TacTableSlot
{
    private volatile TacTable? _current;

    /// <summary>The table in force, or null when the node has no TAC database.</summary>
    public TacTable? Current => _current;

    /// <summary>Puts <paramref name="table"/> in force for every check that starts after this.</summary>
    public void Publish(TacTable table) => _current = table ?? throw new ArgumentNullException(nameof(table));
}
