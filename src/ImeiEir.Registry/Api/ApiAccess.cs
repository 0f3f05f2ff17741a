using ImeiEir.Core;
using Microsoft.AspNetCore.Http;

namespace ImeiEir.Registry;

/// <summary>What an endpoint needs of its caller's credential.</summary>
internal enum ApiRight
{
    /// <summary>Pushes and backups: admin only.</summary>
    Write,

    /// <summary>Status, an IMEI's record and history: admin and reader.</summary>
    Read,

    /// <summary>The feed and the snapshot: admin, reader and node.</summary>
    Follow,

    /// <summary>Sightings: admin and node.</summary>
    Report,
}

/// <summary>Who called: the actor a change records, and whether it came with one of the generated default tokens.</summary>
internal readonly record struct Caller(string Name, CredentialRole Role, bool IsDefaultToken);

/// <summary>The bearer-token check of every registry endpoint.</summary>
internal static class ApiAccess
{
    /// <summary>
    /// The caller when its bearer token grants <paramref name="right"/>, else null. Constant time: the default tokens
    /// and every named credential are always compared, so timing tells neither which token nor how much of one
    /// matched. The default reader token keeps what it always had: every read and a node's sightings.
    /// </summary>
    public static Caller? Authorize(HttpContext context, RegistryService registry, ApiRight right)
    {
        string? header = context.Request.Headers.Authorization;
        if (header is null || header.Length <= 7 || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return null;
        ReadOnlySpan<char> token = header.AsSpan(7).Trim();
        bool admin = SecretToken.Matches(token, registry.AdminToken);
        bool reader = SecretToken.Matches(token, registry.ReaderToken);
        Credential? named = registry.Credentials.Find(token);
        Caller? caller = admin ? new Caller("admin", CredentialRole.Admin, true)
            : reader ? new Caller("reader", CredentialRole.Reader, true)
            : named is not null ? new Caller(named.Name, named.Role, false)
            : null;
        return caller is { } c && Grants(c, right) ? c : null;
    }

    /// <summary>True when the request's token grants <paramref name="right"/>.</summary>
    public static bool IsAuthorized(HttpContext context, RegistryService registry, ApiRight right) =>
        Authorize(context, registry, right) is not null;

    private static bool Grants(Caller caller, ApiRight right) => caller.Role switch
    {
        CredentialRole.Admin => true,
        CredentialRole.Reader when caller.IsDefaultToken => right != ApiRight.Write,
        CredentialRole.Reader => right is ApiRight.Read or ApiRight.Follow,
        CredentialRole.Node => right is ApiRight.Follow or ApiRight.Report,
        _ => false,
    };
}
