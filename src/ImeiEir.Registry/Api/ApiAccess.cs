using ImeiEir.Core;
using Microsoft.AspNetCore.Http;

namespace ImeiEir.Registry;

/// <summary>The bearer-token check of every registry endpoint.</summary>
internal static class ApiAccess
{
    /// <summary>
    /// Bearer token check, constant time: both tokens are always compared, so timing tells neither which token
    /// nor how much of one matched. Reader endpoints accept the admin token too.
    /// </summary>
    public static bool IsAuthorized(HttpContext context, RegistryService registry, bool adminOnly)
    {
        string? header = context.Request.Headers.Authorization;
        if (header is null || header.Length <= 7 || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return false;
        ReadOnlySpan<char> token = header.AsSpan(7).Trim();
        bool admin = SecretToken.Matches(token, registry.AdminToken);
        bool reader = SecretToken.Matches(token, registry.ReaderToken);
        return admin || (reader && !adminOnly);
    }
}
