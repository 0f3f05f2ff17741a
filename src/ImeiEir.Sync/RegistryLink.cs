namespace ImeiEir.Sync;

/// <summary>
/// Where a node finds the registry and the reader token it presents there. The host gives it (from <c>Registry:Url</c>
/// and <c>Registry:ReaderToken</c>, or this very process's registry in all-in-one mode); it is never bound under
/// <c>Sync</c> or <c>Sightings</c>.
/// </summary>
/// <param name="Url">Base URL of the central registry, e.g. <c>http://registry:8700/</c>; a path prefix is kept.</param>
/// <param name="ReaderToken">The registry's reader token (a node's credential), sent as <c>Authorization: Bearer</c>; never logged.</param>
public sealed record RegistryLink(Uri Url, string ReaderToken)
{
    /// <summary>One <c>"{section}:RegistryUrl: ..."</c> or <c>"{section}:ReaderToken: ..."</c> line per problem, as the component using it names them.</summary>
    public IReadOnlyList<string> Validate(string section)
    {
        var problems = new List<string>();
        if (Url is null || !Url.IsAbsoluteUri || (Url.Scheme != Uri.UriSchemeHttp && Url.Scheme != Uri.UriSchemeHttps))
            problems.Add($"{section}:RegistryUrl: must be an absolute http or https URL, got '{Url}'");
        if (string.IsNullOrWhiteSpace(ReaderToken))
            problems.Add($"{section}:ReaderToken: must not be empty");
        return problems;
    }

    /// <summary>The token stays out of logs and exception messages.</summary>
    public override string ToString() => $"RegistryLink {{ Url = {Url} }}";
}
