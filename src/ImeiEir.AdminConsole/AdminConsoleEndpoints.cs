using System.Collections.Frozen;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ImeiEir.AdminConsole;

/// <summary>
/// The registry's admin console: static HTML, CSS and plain JavaScript embedded in this assembly, served at
/// <c>/admin</c> on the registry's port, talking to the registry's JSON API on the same origin with the bearer token
/// the person signed in with. It depends on nothing of ImeiEir's: what it knows of the registry is the API's JSON.
/// <code>
/// GET /admin, /admin/   → the page (index.html)
/// GET /admin/{file}     → console.css, *.js | 404
/// </code>
/// </summary>
public static class AdminConsoleEndpoints
{
    /// <summary>Where the console lives.</summary>
    public const string Path = "/admin";

    /// <summary>Maps the console's addresses; the API it calls is mapped by the registry.</summary>
    public static IEndpointRouteBuilder MapAdminConsole(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        FrozenDictionary<string, ConsoleAsset> assets = ConsoleAssets.Load();
        ConsoleAsset index = assets[ConsoleAssets.Index];
        // One route for both /admin and /admin/: routing ignores a trailing slash (two would be ambiguous, a 500).
        endpoints.MapGet(Path, (HttpContext context) => ServeAsync(context, index));
        endpoints.MapGet(Path + "/{file}", (HttpContext context, string file) =>
            assets.TryGetValue(file, out ConsoleAsset? asset) ? ServeAsync(context, asset) : NotFoundAsync(context));
        return endpoints;
    }

    private static Task ServeAsync(HttpContext context, ConsoleAsset asset)
    {
        HttpResponse response = context.Response;
        ConsoleSecurityHeaders.Apply(response);
        response.StatusCode = 200;
        response.ContentType = asset.ContentType;
        response.ContentLength = asset.Content.Length;
        return response.Body.WriteAsync(asset.Content, context.RequestAborted).AsTask();
    }

    private static Task NotFoundAsync(HttpContext context)
    {
        ConsoleSecurityHeaders.Apply(context.Response);
        context.Response.StatusCode = 404;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync("No such console file.\n", context.RequestAborted);
    }
}
