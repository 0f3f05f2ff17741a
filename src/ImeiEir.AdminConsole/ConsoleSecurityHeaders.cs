using Microsoft.AspNetCore.Http;

namespace ImeiEir.AdminConsole;

/// <summary>
/// The headers every console file is served with. The page holds an admin's token (in sessionStorage), so: scripts
/// only from the console's own files (no inline script, no eval), fetches only to this origin, no framing
/// (clickjacking), no sniffing a file into another type, no referrer, and nothing cached (a shared machine's cache
/// keeps no copy; a new version is picked up at once).
/// </summary>
internal static class ConsoleSecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static void Apply(HttpResponse response)
    {
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XFrameOptions = "DENY";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers["Cross-Origin-Opener-Policy"] = "same-origin";
        response.Headers.CacheControl = "no-store";
    }
}
