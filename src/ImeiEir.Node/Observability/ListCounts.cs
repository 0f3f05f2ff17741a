namespace ImeiEir.Node.Observability;

/// <summary>Records per list at one moment.</summary>
internal sealed record ListCounts(long White, long Grey, long Black);
