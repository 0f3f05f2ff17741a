namespace ImeiEir.Server.Hosting;

/// <summary>A configuration key that moved: the old one is still read, into the new one, with a warning at start.</summary>
/// <param name="Old">The deprecated key, e.g. <c>Store:InitialLists</c>.</param>
/// <param name="New">Where it is read into, e.g. <c>Registry:InitialLists</c>.</param>
public sealed record MovedKey(string Old, string New);
