using ImeiEir.Core;
using Microsoft.AspNetCore.Http;

namespace ImeiEir.Registry;

/// <summary>Read access for other APIs on the registry's admin port (the notifier's), by the registry's credentials.</summary>
public static class RegistryReadAccess
{
    /// <summary>
    /// True for an admin (token or credential) and a named reader credential: who may read subscribers' data (the
    /// notices, their numbers and texts). Not the generated reader token: every EIR node holds that one to follow the
    /// feed, and a node has no business with subscribers' phone numbers; the console signs in with named credentials.
    /// </summary>
    public static bool CanReadSubscriberData(HttpContext context, RegistryService registry)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(registry);
        return ApiAccess.Authorize(context, registry, ApiRight.Read) is { } caller
            && (caller.Role == CredentialRole.Admin || !caller.IsDefaultToken);
    }
}
