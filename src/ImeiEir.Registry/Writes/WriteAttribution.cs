namespace ImeiEir.Registry;

/// <summary>
/// Who asked for an admin write and why: the actor (the token's holder) and the admin's comment. Passed along every
/// bulk write (legacy import, grace extension) and logged with its summary, so the change log's entries can carry it
/// once changes have fields for it.
/// </summary>
/// <param name="Actor">Who: "admin" for the admin token.</param>
/// <param name="Comment">Why, as the admin wrote it; null when none was given.</param>
public sealed record WriteAttribution(string Actor, string? Comment);
